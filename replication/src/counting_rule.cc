#include "ecomm/replication/counting_rule.h"

namespace ecomm::replication {

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kCounted:
      return "counted";
    case Verdict::kEpochCounted:
      return "epoch counted";
    case Verdict::kNoEpochYet:
      return "data record before any epoch";
    case Verdict::kOtherEpoch:
      return "data record of another epoch";
    case Verdict::kNotNext:
      return "data record not at the next LSN";
    case Verdict::kEpochNotHigher:
      return "epoch record not above the current epoch";
    case Verdict::kMalformedEpoch:
      return "malformed epoch record";
  }
  return "unknown verdict";
}

Verdict CountingRule::Peek(const TopicRecord& record) const {
  if (record.is_epoch()) {
    if (record.epoch <= position_.epoch) return Verdict::kEpochNotHigher;
    return ReadEpochRecord(record).ok() ? Verdict::kEpochCounted : Verdict::kMalformedEpoch;
  }
  if (position_.epoch == 0) return Verdict::kNoEpochYet;
  if (record.epoch != position_.epoch) return Verdict::kOtherEpoch;
  if (record.lsn != position_.last_lsn + 1) return Verdict::kNotNext;
  return Verdict::kCounted;
}

Verdict CountingRule::Judge(const TopicRecord& record) {
  Verdict verdict = Peek(record);
  if (verdict == Verdict::kCounted) {
    position_.last_lsn = record.lsn;
  } else if (verdict == Verdict::kEpochCounted) {
    EpochRecord epoch = ReadEpochRecord(record).value();
    if (position_.epoch == 0) position_.last_lsn = epoch.base_lsn;
    position_.epoch = epoch.epoch;
    position_.promotion_id = epoch.promotion_id;
    position_.primary_url = std::move(epoch.primary_url);
  }
  return verdict;
}

}  // namespace ecomm::replication
