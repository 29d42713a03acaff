# Third-party packages, all from Debian (see scripts/setup.sh).
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(antlr4-runtime REQUIRED)
find_package(Threads REQUIRED)

find_program(ANTLR4_TOOL antlr4 REQUIRED)

# The ANTLR runtime ships its headers under antlr4-runtime/ and a shared library; wrap both.
find_path(RFT_ANTLR4_INCLUDE_DIR antlr4-runtime.h PATH_SUFFIXES antlr4-runtime REQUIRED)
if(NOT TARGET rft::antlr4)
  add_library(rft::antlr4 INTERFACE IMPORTED)
  # SYSTEM: the runtime's own headers are not held to our warning flags.
  set_target_properties(rft::antlr4 PROPERTIES
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${RFT_ANTLR4_INCLUDE_DIR}"
    INTERFACE_INCLUDE_DIRECTORIES "${RFT_ANTLR4_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES antlr4_shared)
endif()

if(RFT_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()

# libtorch (Debian's libtorch-dev): found here, at the top, because its imported targets are
# scoped to the directory that finds them and the tests link them too.
find_package(Torch REQUIRED)
