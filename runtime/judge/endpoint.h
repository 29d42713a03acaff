// Which judge endpoints a run may send data to: endpoints on this machine (loopback) always,
// any other only when it is listed explicitly (`rft grade --allow-endpoint URL`).
#pragma once

#include <string>
#include <vector>

namespace rft::judge {

// The host of an http(s) URL, lowercased and without brackets ("::1"); empty when the URL is
// not http or https or has no host.
std::string url_host(const std::string& url);

bool is_loopback(const std::string& url);

// Empty when `url` may be used; else why not, saying how to allow it. An entry of `allowed`
// allows the URL itself and every URL under it ("https://api.example.com/v1" allows
// ".../v1/chat/completions", not "https://api.example.com/v10").
std::string endpoint_refusal(const std::string& url, const std::vector<std::string>& allowed,
                             const std::string& allow_how = "with --allow-endpoint");

}  // namespace rft::judge
