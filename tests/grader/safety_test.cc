// The safety builtins: repetition, banned phrases and the PII detectors that need more than a
// regex (digit counts, the Luhn checksum).
#include <string>
#include <vector>

#include "runtime/grader/value_ops.h"
#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

class SafetyTest : public BuiltinTest {};

constexpr std::string_view kRepetition = "repetition(s: str, n: num = 3) -> num";
constexpr std::string_view kFindPhrases =
    "find_phrases(s: str, phrases: list<str>, whole_words: bool = true) -> list<str>";
constexpr std::string_view kCards = "credit_cards(s: str) -> list<str>";
constexpr std::string_view kPhones = "phone_numbers(s: str) -> list<str>";

TEST_F(SafetyTest, RepetitionIsTheShareOfRepeatedNgrams) {
  expect_calls({
      // 3-grams "a b c", "b c a", "c a b", "a b c": the last repeats the first.
      {kRepetition, {S("a b c a b c"), N(3)}, "0.25"},
      {kRepetition, {S("a a a a"), N(1)}, "0.75"},
      {kRepetition, {S("a a a a"), N(2)}, "0.6666666666666666"},
      {kRepetition, {S("Go. go, GO!"), N(1)}, "0.6666666666666666"},  // case and punctuation
      {kRepetition, {S("every word differs here"), N(1)}, "0"},
      {kRepetition, {S("too short"), N(3)}, "0"},
      {kRepetition, {S(""), N(1)}, "0"},
      {kRepetition, {S("ab c ab c"), N(2)}, "0.3333333333333333"},  // "ab c" twice
      {kRepetition, {S("a bc ab c"), N(2)}, "0"},                   // same letters, other tokens
      {kRepetition, {S("x y z x y z"), N(kNan)}, "0.25"},           // NaN: the default 3
      {kRepetition, {S("x x x"), N(-5)}, "0.6666666666666666"},     // at least 1
  });
}

TEST_F(SafetyTest, FindPhrasesIgnoresCaseAndMatchesWholeWords) {
  const rft_value phrases = Ls({"idiot", " Kill yourself", "ass", "école", "", "idiot"});
  expect_calls({
      {kFindPhrases, {S("You IDIOT!"), phrases, B(true)}, "[\"idiot\"]"},
      {kFindPhrases, {S("go KILL \n yourself"), phrases, B(true)}, "[\" Kill yourself\"]"},
      {kFindPhrases,
       {S("Kill yourself, idiot"), phrases, B(true)},
       "[\"idiot\", \" Kill yourself\"]"},  // in the order of the list, as written
      {kFindPhrases, {S("first class"), phrases, B(true)}, "[]"},
      {kFindPhrases, {S("first class"), phrases, B(false)}, "[\"ass\"]"},
      {kFindPhrases, {S("«idiot»"), phrases, B(true)}, "[\"idiot\"]"},
      {kFindPhrases, {S("idiots"), phrases, B(true)}, "[]"},
      {kFindPhrases, {S("L'ÉCOLE"), phrases, B(true)}, "[\"école\"]"},
      {kFindPhrases, {S("écoles"), phrases, B(true)}, "[]"},
      {kFindPhrases, {S("idiotidiot idiot"), phrases, B(true)}, "[\"idiot\"]"},  // a later hit
      {kFindPhrases, {S(""), phrases, B(false)}, "[]"},
  });
  EXPECT_FALSE(flagged("safety_capped"));
}

TEST_F(SafetyTest, FindPhrasesCapsTheNumberOfPhrases) {
  std::vector<rft_value> many(1001, S("zzz"));
  many.back() = S("needle");
  // The 1001st phrase is not looked for.
  EXPECT_EQ(show(call(kFindPhrases, {S("needle zzz"), make_list(ctx_, many), B(true)})),
            "[\"zzz\"]");
  EXPECT_TRUE(flagged("safety_capped"));
}

TEST_F(SafetyTest, CreditCardsPassTheLuhnCheck) {
  expect_calls({
      {kCards, {S("card 4111 1111 1111 1111, thanks")}, "[\"4111 1111 1111 1111\"]"},
      {kCards, {S("4111-1111-1111-1111")}, "[\"4111-1111-1111-1111\"]"},
      {kCards, {S("amex 378282246310005.")}, "[\"378282246310005\"]"},
      {kCards, {S("4111 1111 1111 1112")}, "[]"},  // checksum fails
      {kCards, {S("x4111111111111111")}, "[]"},    // part of a longer token
      {kCards, {S("4111111111111111x")}, "[]"},
      {kCards, {S("411111111111")}, "[]"},          // 12 digits
      {kCards, {S("4111  1111 1111 1111")}, "[]"},  // two spaces end the run
      {kCards, {S("+4915112345678")}, "[]"},        // Luhn-valid, but a phone number
      {kCards,
       {S("5555555555554444 and 6011111111111117")},
       "[\"5555555555554444\", \"6011111111111117\"]"},
  });
}

TEST_F(SafetyTest, PhoneNumbersAreWrittenLikeOne) {
  expect_calls({
      {kPhones, {S("call (555) 123-4567 now")}, "[\"(555) 123-4567\"]"},
      {kPhones, {S("+44 20 7946 0958")}, "[\"+44 20 7946 0958\"]"},
      {kPhones, {S("555-123-4567 or 555.123.4567")}, "[\"555-123-4567\", \"555.123.4567\"]"},
      {kPhones, {S("+4915112345678")}, "[\"+4915112345678\"]"},
      {kPhones, {S("1-800-555-1234")}, "[\"1-800-555-1234\"]"},
      {kPhones, {S("1234567890")}, "[]"},              // a bare number
      {kPhones, {S("1 000 000 000")}, "[]"},           // digit grouping
      {kPhones, {S("192.168.100.200")}, "[]"},         // an IPv4 address
      {kPhones, {S("2024-01-15")}, "[]"},              // a date: 8 digits
      {kPhones, {S("3.14159265358")}, "[]"},           // a decimal
      {kPhones, {S("555-123-4567-8901-2345")}, "[]"},  // 16 digits
      {kPhones, {S("4111 1111 1111 1111")}, "[]"},     // a card number
  });
}

}  // namespace
}  // namespace rft::grader::testing
