// Which endpoints a run may send to: loopback, and what was allowed.
#include "runtime/judge/endpoint.h"

#include <gtest/gtest.h>

namespace rft::judge {
namespace {

TEST(Endpoint, Hosts) {
  EXPECT_EQ(url_host("http://127.0.0.1:8000/v1"), "127.0.0.1");
  EXPECT_EQ(url_host("HTTPS://API.Example.com/v1"), "api.example.com");
  EXPECT_EQ(url_host("http://user:pw@localhost:9/v1"), "localhost");
  EXPECT_EQ(url_host("http://[::1]:8000/v1"), "::1");
  EXPECT_EQ(url_host("ftp://127.0.0.1/"), "");
  EXPECT_EQ(url_host("127.0.0.1:8000"), "");
}

TEST(Endpoint, LoopbackIsAllowedByDefault) {
  for (const char* url : {"http://127.0.0.1:8000/v1", "http://localhost/v1", "http://[::1]:1/",
                          "https://127.1.2.3/v1"}) {
    EXPECT_EQ(endpoint_refusal(url, {}), "") << url;
  }
  for (const char* url :
       {"https://api.example.com/v1", "http://127.0.0.1.evil.com/v1", "http://localhost.evil.com/",
        "http://10.0.0.1/v1", "http://evil.com/127.0.0.1", "http://127.0.0.1@evil.com/v1"}) {
    EXPECT_NE(endpoint_refusal(url, {}), "") << url;
  }
}

TEST(Endpoint, AllowedPrefixesStopAtPathBoundaries) {
  std::vector<std::string> allowed = {"https://api.example.com/v1/"};
  EXPECT_EQ(endpoint_refusal("https://api.example.com/v1", allowed), "");
  EXPECT_EQ(endpoint_refusal("https://api.example.com/v1/deployments/x", allowed), "");
  EXPECT_NE(endpoint_refusal("https://api.example.com/v10", allowed), "");
  EXPECT_NE(endpoint_refusal("https://api.example.com.evil.com/v1", allowed), "");
  EXPECT_NE(endpoint_refusal("http://api.example.com/v1", allowed), "");  // another scheme
}

TEST(Endpoint, RefusalSaysHowToAllow) {
  std::string why = endpoint_refusal("https://api.example.com/v1/", {});
  EXPECT_NE(why.find("--allow-endpoint https://api.example.com/v1"), std::string::npos) << why;
  EXPECT_NE(endpoint_refusal("file:///etc/passwd", {}).find("not an http"), std::string::npos);
  // Each caller says how its own users allow an endpoint.
  why = endpoint_refusal("https://api.example.com/v1", {}, "by listing it in job.yaml:");
  EXPECT_NE(why.find("by listing it in job.yaml: https://api.example.com/v1"), std::string::npos)
      << why;
  EXPECT_EQ(why.find("--allow-endpoint"), std::string::npos) << why;
}

}  // namespace
}  // namespace rft::judge
