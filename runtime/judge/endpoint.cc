#include "runtime/judge/endpoint.h"

#include <algorithm>
#include <cctype>

namespace rft::judge {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trim_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

std::string url_host(const std::string& url) {
  std::string u = lower(url);
  size_t rest;
  if (u.rfind("http://", 0) == 0) {
    rest = 7;
  } else if (u.rfind("https://", 0) == 0) {
    rest = 8;
  } else {
    return "";
  }
  size_t end = u.find_first_of("/?#", rest);
  std::string authority = u.substr(rest, end == std::string::npos ? std::string::npos : end - rest);
  if (size_t at = authority.rfind('@'); at != std::string::npos)
    authority = authority.substr(at + 1);
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    return close == std::string::npos ? "" : authority.substr(1, close - 1);
  }
  return authority.substr(0, authority.find(':'));
}

bool is_loopback(const std::string& url) {
  std::string host = url_host(url);
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8, written as four decimal numbers.
  if (host.rfind("127.", 0) != 0) return false;
  int parts = 0;
  for (size_t i = 0; i <= host.size();) {
    size_t dot = host.find('.', i);
    std::string p = host.substr(i, dot == std::string::npos ? std::string::npos : dot - i);
    if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(p) > 255) {
      return false;
    }
    ++parts;
    if (dot == std::string::npos) break;
    i = dot + 1;
  }
  return parts == 4;
}

std::string endpoint_refusal(const std::string& url, const std::vector<std::string>& allowed,
                             const std::string& allow_how) {
  if (url_host(url).empty()) return "`" + url + "` is not an http:// or https:// URL";
  if (is_loopback(url)) return "";
  std::string u = trim_slashes(url);
  for (const std::string& a : allowed) {
    std::string p = trim_slashes(a);
    if (p.empty() || url_host(p).empty()) continue;
    if (lower(u) == lower(p) || lower(u).rfind(lower(p) + "/", 0) == 0) return "";
  }
  return "`" + url + "` is not on this machine and was not allowed; no data was sent (allow it " +
         allow_how + " " + u + ")";
}

}  // namespace rft::judge
