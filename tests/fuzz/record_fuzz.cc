// Record payloads: byte 0 is the RecordType, the rest the payload. Whatever decodes
// must be exactly what EncodeRecord writes for it (the encoding is canonical, so a
// decoder that accepts two spellings of one record is a bug), and applying it to a
// small engine must either fit or be refused without changing anything.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "ecomm/record.h"
#include "fuzz_support.h"
#include "replay.h"

using ecomm::AsBytes;
using ecomm::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  auto type = static_cast<ecomm::RecordType>(data[0]);
  std::span<const uint8_t> payload(data + 1, size - 1);
  ecomm::Result<ecomm::Record> record = ecomm::DecodeRecord(type, payload);
  if (!record.ok()) {
    Check(record.code() == ecomm::ErrorCode::kInternal, "a bad payload is kInternal");
    return 0;
  }
  Check(ecomm::TypeOf(*record) == type, "the record has the type it was decoded as");

  std::string encoded;
  ecomm::EncodeRecord(*record, &encoded);
  std::span<const uint8_t> encoded_bytes = AsBytes(encoded);
  Check(std::equal(payload.begin(), payload.end(), encoded_bytes.begin(), encoded_bytes.end()),
        "encode(decode(payload)) == payload");
  ecomm::Result<ecomm::Record> again = ecomm::DecodeRecord(type, AsBytes(encoded));
  Check(again.ok(), "an encoded record decodes");
  std::string reencoded;
  ecomm::EncodeRecord(*again, &reencoded);
  Check(reencoded == encoded, "decode(encode(x)) re-encodes identically");
  Check(!ecomm::DescribeRecord(*record).empty(), "every record has a description");

  ecomm::fuzz::SetupEngine setup;
  uint64_t before = StateDigest(setup.engine);
  ecomm::Status applied = ReplayRecord(setup.engine, *record, setup.next_lsn);
  if (!applied.ok()) {
    Check(applied.code() == ecomm::ErrorCode::kInternal, "a misfit record is kInternal");
    Check(StateDigest(setup.engine) == before, "a refused record changes nothing");
  } else {
    (void)StateDigest(setup.engine);  // walks everything the record created
    (void)setup.engine.TopSellers();
  }
  return 0;
}
