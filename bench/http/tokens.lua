-- Per-user Authorization headers for a server with --auth jwt: TOKENS=FILE in the
-- environment names a file whose line i+1 is the JWT of user bench<i> (bench/auth/run.sh
-- writes it). Without TOKENS, requests carry no credential.
local tokens = {}
local file = os.getenv("TOKENS")
if file and file ~= "" then
  for line in io.lines(file) do tokens[#tokens + 1] = line end
end

-- The headers of a request acting for user bench<user>, plus `extra`.
function auth_headers(user, extra)
  local headers = {}
  for k, v in pairs(extra or {}) do headers[k] = v end
  if tokens[user + 1] then headers["Authorization"] = "Bearer " .. tokens[user + 1] end
  return headers
end
