#include "runtime/model/tokenizer/unicode.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>

#include <stdexcept>

#include "runtime/grader/utf8.h"

namespace rft::model {

namespace {

CharClass class_of(char32_t cp) {
  switch (u_charType(static_cast<UChar32>(cp))) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
      return CharClass::kLetter;
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
      return CharClass::kNumber;
    default:
      return is_white_space(cp) ? CharClass::kSpace : CharClass::kOther;
  }
}

const icu::Normalizer2& normalizer_for(NormalizationForm form) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = nullptr;
  switch (form) {
    case NormalizationForm::kNfc:
      n = icu::Normalizer2::getNFCInstance(status);
      break;
    case NormalizationForm::kNfd:
      n = icu::Normalizer2::getNFDInstance(status);
      break;
    case NormalizationForm::kNfkc:
      n = icu::Normalizer2::getNFKCInstance(status);
      break;
    case NormalizationForm::kNfkd:
      n = icu::Normalizer2::getNFKDInstance(status);
      break;
  }
  // Only fails when ICU's data library is missing: an installation problem, not user input.
  if (U_FAILURE(status) || n == nullptr) {
    throw std::runtime_error(std::string("ICU normalizer unavailable: ") + u_errorName(status));
  }
  return *n;
}

}  // namespace

ClassifiedChar classify_non_ascii(std::string_view s, size_t pos) {
  const grader::CodePoint c = grader::decode_utf8(s, pos);
  if (!c.valid) return {CharClass::kOther, c.len};
  return {class_of(c.cp), c.len};
}

bool is_white_space(char32_t cp) {
  return u_isUWhiteSpace(static_cast<UChar32>(cp));
}

bool is_alphanumeric(char32_t cp) {
  const auto c = static_cast<UChar32>(cp);
  if (u_isUAlphabetic(c)) return true;
  const int8_t type = u_charType(c);
  return type == U_DECIMAL_DIGIT_NUMBER || type == U_LETTER_NUMBER || type == U_OTHER_NUMBER;
}

std::string normalize(NormalizationForm form, std::string_view text) {
  bool ascii = true;
  for (char ch : text) ascii &= static_cast<uint8_t>(ch) < 0x80;
  if (ascii) return std::string(text);
  const icu::Normalizer2& normalizer = normalizer_for(form);
  std::string out;
  out.reserve(text.size());
  icu::StringByteSink<std::string> sink(&out);
  // ICU takes int32_t lengths, so very long text goes in chunks. A chunk ends before an ASCII
  // byte where it can (no normalization form reorders or composes across one), else before a
  // UTF-8 lead byte.
  constexpr size_t kChunk = size_t{1} << 30;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.size();
    if (end - pos > kChunk) {
      end = pos + kChunk;
      size_t cut = end;
      while (cut > pos + kChunk / 2 && static_cast<uint8_t>(text[cut]) >= 0x80) --cut;
      if (static_cast<uint8_t>(text[cut]) >= 0x80) {
        while (cut > pos + 1 && (static_cast<uint8_t>(text[cut]) & 0xC0) == 0x80) --cut;
      }
      end = cut;
    }
    UErrorCode status = U_ZERO_ERROR;
    normalizer.normalizeUTF8(0,
                             icu::StringPiece(text.data() + pos, static_cast<int32_t>(end - pos)),
                             sink, nullptr, status);
    if (U_FAILURE(status)) {
      throw std::runtime_error(std::string("ICU normalization failed: ") + u_errorName(status));
    }
    pos = end;
  }
  return out;
}

}  // namespace rft::model
