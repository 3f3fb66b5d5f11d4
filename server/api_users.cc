// POST /users, GET /users/{id}
#include "api_helpers.h"

namespace ecomm::server {

void Api::CreateUser(Request& r, Reply reply) {
  ECOMM_TRY(body, ParseObject(r.body));
  ECOMM_TRY(id, OptionalStringField(*body, "userId"));
  ECOMM_TRY(name, StringField(*body, "name"));
  ECOMM_TRY(email, StringField(*body, "email"));
  Commit(engine_.CreateUser(NewUser{*id, *name, *email}), std::move(reply),
         [](const UserView& v) { return Json(201, ToJson(v)); });
}

void Api::GetUser(Request& r, Reply reply) {
  ECOMM_CHECK(MayActFor(r, r.path_params[0]));
  ECOMM_TRY(user, engine_.GetUser(r.path_params[0]));
  reply(Json(200, ToJson(*user)));
}

}  // namespace ecomm::server
