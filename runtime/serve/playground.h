// The playground page's files (runtime/serve/playground/), compiled into the binary so that the
// server needs nothing beside itself to serve the page. playground_files.cc is generated at build
// time by cmake/embed_playground.cmake.
#pragma once

#include <span>
#include <string_view>

namespace rft::serve {

struct PlaygroundFile {
  std::string_view path;          // "/index.html", "/app.js", ...
  std::string_view content_type;  // with its charset
  std::string_view data;
};

std::span<const PlaygroundFile> playground_files();

}  // namespace rft::serve
