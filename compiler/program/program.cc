#include "compiler/program/program.h"

namespace rft {

const ast::RewardDecl* Program::find_reward(std::string_view name,
                                            const ast::Module** owner) const {
  for (const ast::Module* m : roots) {
    if (const ast::RewardDecl* r = m->find_reward(name)) {
      if (owner != nullptr) *owner = m;
      return r;
    }
  }
  return nullptr;
}

}  // namespace rft
