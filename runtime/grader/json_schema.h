// JSON Schema validation (drafts 7 and 2020-12) over nlohmann::json, behind the schema_errors
// builtin. A validator of our own: Debian's valijson knows drafts 3 to 7 only, and no packaged
// C++ library validates 2020-12 (unevaluatedProperties/Items, $dynamicRef, prefixItems).
//
// Differences from a textbook validator, because the documents checked are model output:
//   - `pattern` and `patternProperties` run on RE2 (linear time). ECMA-262 features RE2 lacks
//     (look-around, back-references) make the schema unsupported, never a silent pass.
//   - `format`, `contentEncoding`, `contentMediaType` are annotations: not checked.
//   - Only the schema document itself is loaded: a `$ref` to another document (including the
//     draft's meta-schema) makes the schema unsupported.
//   - Evaluation is bounded: a $ref cycle that never descends into the document, more than
//     kMaxSchemaSteps subschema evaluations or kMaxSchemaDepth nested ones end it with a problem.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/grader/builtin_fns.h"

namespace rft::grader {

enum class SchemaDraft { kDraft7, kDraft2020_12 };

// Why a schema gave no verdict.
enum class SchemaProblem {
  kNone,
  kInvalid,      // not a valid schema, or a $ref cycle that never ends
  kUnsupported,  // valid, but needs what rft does not run: another document, an unknown $schema,
                 // a pattern RE2 cannot run
  kTooComplex,   // the evaluation ran past kMaxSchemaSteps or kMaxSchemaDepth
};

inline constexpr size_t kMaxSchemaSteps = 2'000'000;
inline constexpr int kMaxSchemaDepth = 512;

// The flag schema_errors raises for a problem (none for kNone).
std::string_view schema_problem_flag(SchemaProblem problem);

struct SchemaVerdict {
  SchemaProblem problem = SchemaProblem::kNone;
  std::string reason;               // when problem != kNone, located in the schema or document
  std::vector<std::string> errors;  // "<root>[a][0]: why", at most max_errors of them
  bool valid() const { return problem == SchemaProblem::kNone && errors.empty(); }
};

class CompiledSchema;

struct SchemaLoad {
  std::shared_ptr<const CompiledSchema> schema;  // null when problem != kNone
  SchemaProblem problem = SchemaProblem::kNone;
  std::string reason;
};

// Loads a schema. The draft comes from its `$schema` (draft-07 or 2020-12 meta-schema URIs); a
// schema without one is read as `default_draft`; any other `$schema` is kUnsupported.
SchemaLoad load_schema(const nlohmann::json& schema,
                       SchemaDraft default_draft = SchemaDraft::kDraft2020_12);

// Validates `instance`. max_errors = 0 stops at the first error (and collects none of them).
SchemaVerdict validate_schema(const CompiledSchema& schema, const nlohmann::json& instance,
                              size_t max_errors = 100);

// The same load as load_schema with the default draft, cached per thread by the schema's text
// (schemas usually come from a constant or a dataset column).
const SchemaLoad& cached_schema(const nlohmann::json& schema);

// The schema_errors builtin (listed in instructions.cc's table).
RFT_BUILTIN(schema_errors);

}  // namespace rft::grader
