// The embedded BlobStore: files under DIR/aa/bb/<sha256>.
#pragma once

#include <filesystem>
#include <memory>

#include "blob/blob_store.h"

namespace wenku::blob {

Result<std::unique_ptr<BlobStore>> open_file_blob_store(const std::filesystem::path& dir);

// fsync of a file or directory by path. Errors: kIo.
Result<void> fsync_path(const std::filesystem::path& p);

}  // namespace wenku::blob
