#pragma once

#include <optional>
#include <string_view>

namespace ecomm::server {

// One file of the /docs page, compiled into the server (server/docs/ and Swagger UI's
// swagger-ui-dist from tools/api-docs), so the page needs no network and no files
// beside the binary.
struct DocsFile {
  std::string_view content;
  std::string_view content_type;
};

// "" is the page itself (index.html); otherwise a file name under /docs/.
std::optional<DocsFile> FindDocsFile(std::string_view name);

}  // namespace ecomm::server
