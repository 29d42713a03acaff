# Warnings for rft's own targets. Generated and third-party code is compiled without them.
function(rft_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wdouble-promotion -Wimplicit-fallthrough
    $<$<COMPILE_LANGUAGE:CXX>:-Wno-missing-field-initializers>)
  if(RFT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
