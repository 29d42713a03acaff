# What a target's users may include: each library exports only the public headers of its own
# folders, so that an include of another folder's private header, or of a folder the target does
# not link, fails to compile instead of passing unnoticed.
#
#   rft_headers(rft_codegen DIRS compiler/codegen PRIVATE compiler/codegen/emit.h)
#
# Includes stay rooted at the repository (#include "compiler/codegen/codegen.h"). The headers of
# the DIRS (each folder alone, not its subfolders) are staged as links in two trees under the
# build directory: include/<target>/ holds the public ones and is the target's PUBLIC include
# directory, seen by whatever links it; include/<target>.own/ holds them all, with the folders'
# .inc files (text compiled into a source), and is seen by the target's own sources only.
# docs/architecture.md gives the rules these enforce.
function(rft_headers target)
  cmake_parse_arguments(H "" "" "DIRS;PRIVATE" ${ARGN})
  set(public ${CMAKE_BINARY_DIR}/include/${target})
  set(own ${CMAKE_BINARY_DIR}/include/${target}.own)
  file(REMOVE_RECURSE ${public} ${own})
  foreach(p ${H_PRIVATE})
    if(NOT EXISTS ${RFT_SOURCE_ROOT}/${p})
      message(FATAL_ERROR "rft_headers(${target}): no private header ${p}")
    endif()
  endforeach()
  foreach(dir ${H_DIRS})
    file(GLOB headers CONFIGURE_DEPENDS RELATIVE ${RFT_SOURCE_ROOT}
         ${RFT_SOURCE_ROOT}/${dir}/*.h ${RFT_SOURCE_ROOT}/${dir}/*.inc)
    file(MAKE_DIRECTORY ${own}/${dir} ${public}/${dir})
    foreach(h ${headers})
      file(CREATE_LINK ${RFT_SOURCE_ROOT}/${h} ${own}/${h} SYMBOLIC)
      if(NOT h IN_LIST H_PRIVATE AND h MATCHES "\\.h$")
        file(CREATE_LINK ${RFT_SOURCE_ROOT}/${h} ${public}/${h} SYMBOLIC)
      endif()
    endforeach()
  endforeach()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${public})
  elseif(type STREQUAL "EXECUTABLE" OR type STREQUAL "MODULE_LIBRARY")
    target_include_directories(${target} PRIVATE ${own})
  else()
    target_include_directories(${target} PUBLIC ${public} PRIVATE ${own})
  endif()
endfunction()
