# Included by the top-level CMakeLists.txt when RFT_FUZZ is on, before any rft target is defined:
# everything rft builds (the grader runtime, the generated grammar, the compiler, the tools) gets
# libFuzzer's coverage instrumentation and AddressSanitizer + UndefinedBehaviorSanitizer. The
# prebuilt ANTLR runtime from Debian stays uninstrumented.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "RFT_FUZZ needs clang with libFuzzer; configure with "
                      "CC=clang-16 CXX=clang++-16 (scripts/fuzz.sh does)")
endif()

set(RFT_SANITIZERS address,undefined)
add_compile_options(
  -fsanitize=fuzzer-no-link,${RFT_SANITIZERS}
  # A UB report stops the run, so that the fuzzer records it as a crash.
  -fno-sanitize-recover=all
  -fno-omit-frame-pointer)
add_link_options(-fsanitize=${RFT_SANITIZERS})
