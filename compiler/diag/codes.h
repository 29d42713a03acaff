// Stable diagnostic codes. Each is documented in docs/language.md ("Diagnostics"); tests pin
// them. Add new codes at the end of their group; never reuse a retired one.
#pragma once

#include <string_view>

namespace rft::codes {

// E00xx: reading and parsing
inline constexpr std::string_view kSyntax = "E0001";
inline constexpr std::string_view kBadLiteral = "E0002";
inline constexpr std::string_view kTooDeep = "E0003";
inline constexpr std::string_view kTooLarge = "E0004";
inline constexpr std::string_view kBadEncoding = "E0005";
inline constexpr std::string_view kImportNeedsAlias = "E0006";
inline constexpr std::string_view kReadFailed = "E0007";

// E01xx: modules and declarations
inline constexpr std::string_view kUnknownModule = "E0101";
inline constexpr std::string_view kImportCycle = "E0102";
inline constexpr std::string_view kDuplicate = "E0103";
inline constexpr std::string_view kPrivate = "E0104";
inline constexpr std::string_view kRecursion = "E0105";

// E02xx: names
inline constexpr std::string_view kUnknownName = "E0201";
inline constexpr std::string_view kUnknownItemField = "E0202";
inline constexpr std::string_view kNoItemDecl = "E0203";
inline constexpr std::string_view kUseBeforeDef = "E0204";
inline constexpr std::string_view kNotAllowedHere = "E0205";
inline constexpr std::string_view kUnknownMember = "E0206";

// E03xx: types
inline constexpr std::string_view kTypeMismatch = "E0301";
inline constexpr std::string_view kUnknownType = "E0302";
inline constexpr std::string_view kBadCall = "E0303";
inline constexpr std::string_view kNotCallable = "E0304";
inline constexpr std::string_view kBadRegex = "E0305";
inline constexpr std::string_view kNotConstant = "E0306";
inline constexpr std::string_view kChainedComparison = "E0307";
inline constexpr std::string_view kCompareNone = "E0308";
inline constexpr std::string_view kBadStyle = "E0309";

// E04xx: rewards, judges, tests
inline constexpr std::string_view kMissingTotal = "E0401";
inline constexpr std::string_view kBadSetting = "E0402";
inline constexpr std::string_view kBadJudge = "E0403";
inline constexpr std::string_view kBadTest = "E0404";
inline constexpr std::string_view kUnknownReward = "E0405";

// W0xxx: warnings
inline constexpr std::string_view kUnused = "W0001";
inline constexpr std::string_view kConstantTotal = "W0002";
inline constexpr std::string_view kJudgeNoEffect = "W0003";
inline constexpr std::string_view kComponentNoEffect = "W0004";
inline constexpr std::string_view kOutOfBounds = "W0005";
inline constexpr std::string_view kGroupForAll = "W0006";

}  // namespace rft::codes
