// CREATE_USER: a new account (admin).
#include <memory>

#include "ecomm/engine.h"
#include "ecomm/invariant.h"
#include "engine_core.h"
#include "make_views.h"
#include "tx/unit.h"
#include "validation.h"

namespace ecomm {

namespace {

struct CreateUserUnit {
  using Record = CreateUserRecord;
  struct Scope {
    AccountTable::LockedStripe stripe;  // where the id goes
    Account* created = nullptr;
  };

  static Status Screen(const Record& r) {
    if (Status s = CheckId("userId", r.user_id); !s.ok()) return s;
    if (Status s = CheckText("name", r.name); !s.ok()) return s;
    return CheckText("email", r.email);
  }

  static Status Open(EngineState& state, const Record& r, Scope* scope) {
    scope->stripe = state.accounts.LockStripe(r.user_id);
    return Status::Ok();
  }

  static Status Check(const EngineState&, const Record& r, const Scope& scope) {
    if (scope.stripe.map->contains(r.user_id)) {
      return Status(ErrorCode::kAlreadyExists,
                    "user " + std::string(r.user_id) + " already exists");
    }
    return Status::Ok();
  }

  static void Apply(EngineState& state, const Record& r, Scope& scope, Lsn) {
    auto account = std::make_unique<Account>(r.user_id, r.name, r.email, r.at);
    account->snapshot_epoch = state.capture.epoch();  // born after any running snapshot
    scope.created = account.get();
    bool inserted = scope.stripe.map->emplace(scope.created->user_id, std::move(account)).second;
    ECOMM_INVARIANT(inserted, "Check found the id free under the stripe lock");
  }
};

}  // namespace

Status tx::Replay(EngineState& state, const CreateUserRecord& record, Lsn lsn,
                  wal::Journal* follow_log) {
  return ReplayUnit<CreateUserUnit>(state, record, lsn, follow_log);
}

Result<Committed<UserView>> Engine::CreateUser(const NewUser& user) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  std::string id = user.user_id ? *user.user_id : Uuid::Random().ToString();
  CreateUserRecord record{.user_id = id, .name = user.name, .email = user.email};
  return tx::Mutate<CreateUserUnit>(
      *core_->state, record, nullptr,
      [](const CreateUserUnit::Scope& s) { return MakeUserView(*s.created); });
}

}  // namespace ecomm
