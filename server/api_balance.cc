// POST /balance/charge, GET /balance, GET /balance/history
#include "api_helpers.h"

namespace ecomm::server {

void Api::Charge(Request& r, Reply reply) {
  ECOMM_TRY(body, ParseObject(r.body));
  ECOMM_TRY(user_id, StringField(*body, "userId"));
  ECOMM_CHECK(MayActFor(r, *user_id));
  ECOMM_TRY(amount, IntField(*body, "amount"));
  auto key = KeyOf(r);
  Commit(engine_.Charge(*user_id, *amount, key ? &*key : nullptr), std::move(reply),
         [](const BalanceView& v) { return Json(200, ToJson(v)); });
}

void Api::GetBalance(Request& r, Reply reply) {
  ECOMM_TRY(user_id, QueryParam(r, "userId"));
  ECOMM_CHECK(MayActFor(r, *user_id));
  ECOMM_TRY(balance, engine_.GetBalance(*user_id));
  reply(Json(200, ToJson(*balance)));
}

void Api::BalanceHistory(Request& r, Reply reply) {
  ECOMM_TRY(user_id, QueryParam(r, "userId"));
  ECOMM_CHECK(MayActFor(r, *user_id));
  ECOMM_TRY(limit, PageLimit(r));
  ECOMM_TRY(position, PageCursor(r, "balance", *user_id));
  ECOMM_TRY(page, engine_.ListBalanceHistory(*user_id, *limit, *position));
  reply(Json(200, PageJson(*page, "balance", *user_id,
                           [](JsonWriter& w, const BalanceEntryView& e) { Write(w, e); })));
}

}  // namespace ecomm::server
