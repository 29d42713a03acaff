// API key checks for the server.
#pragma once

#include <string_view>

namespace rft::serve {

// Whether `given` equals `expected`, in time that depends only on the length of `given`, so that
// timing a wrong key tells nothing about how much of it was right.
bool constant_time_equal(std::string_view given, std::string_view expected);

// The key of an "Authorization: Bearer KEY" header value; empty when it has another form.
std::string_view bearer_token(std::string_view authorization);

}  // namespace rft::serve
