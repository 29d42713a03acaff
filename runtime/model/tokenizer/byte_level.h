// GPT-2's byte-level alphabet: each of the 256 byte values stands for one printable character
// (printable Latin-1 bytes for themselves, the rest for U+0100.. in order), so that any byte
// string is a string of "characters" that a BPE vocabulary can hold. tokenizer.json stores
// tokens in this alphabet ("Ġhello" is " hello").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rft::model {

// The character that stands for `byte`.
char32_t byte_level_char(uint8_t byte);

// `bytes` written in the byte-level alphabet (UTF-8).
std::string to_byte_level(std::string_view bytes);

// The bytes that a token written in the byte-level alphabet stands for, or nullopt when some
// character of `token` is not in the alphabet (then Hugging Face's ByteLevel decoder takes the
// token's own UTF-8 bytes, as for added tokens like "<|im_start|>" written in plain text).
std::optional<std::string> from_byte_level(std::string_view token);

}  // namespace rft::model
