# Warnings for rft's own targets. Generated and third-party code is compiled without them.
function(rft_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wdouble-promotion -Wimplicit-fallthrough
    $<$<COMPILE_LANGUAGE:CXX>:-Wno-missing-field-initializers>)
  # GCC 12's -Wrestrict misfires inside libstdc++ at -O3 (a Release build) on plain string
  # concatenation such as "\\" + std::string(s), a known false positive of the 12 series: off
  # there, so that a Release build is clean with or without RFT_WERROR.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
     AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE
      $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CONFIG:Release>>:-Wno-restrict>)
  endif()
  if(RFT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
