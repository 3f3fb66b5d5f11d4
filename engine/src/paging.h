#pragma once

#include <cstdint>
#include <optional>

#include "ecomm/result.h"
#include "ecomm/views.h"
#include "validation.h"

namespace ecomm {

// A newest-first page of an append-only list of `size` items. A position is the
// count of items older than the next one to return, so it stays valid while the
// list grows; 0 and anything beyond `size` were never handed out.
template <class View, class ViewAt>
Result<Page<View>> NewestFirstPage(size_t size, size_t limit, std::optional<uint64_t> position,
                                   ViewAt&& view_at) {
  if (Status s = CheckPageLimit(limit); !s.ok()) return s;
  if (position && (*position == 0 || *position > size)) {
    return Status(ErrorCode::kInvalidRequest, "cursor was not issued by this server");
  }
  uint64_t start = position.value_or(size);
  uint64_t end = start > limit ? start - limit : 0;
  Page<View> page;
  page.items.reserve(start - end);
  for (uint64_t i = start; i > end; --i) page.items.push_back(view_at(i - 1));
  if (end > 0) page.next = end;
  return page;
}

}  // namespace ecomm
