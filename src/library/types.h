// The plain value types the layers above the library (http, cli) work with. They are the
// store's records (store/metadata_store.h declares them beside the store interface, header
// only for these structs); http and cli name them through this header and never call a
// store or blob interface: every operation goes through a service of the library.
#pragma once

#include <string_view>

#include "store/metadata_store.h"

namespace wenku::library {

using store::Category;
using store::DayCount;
using store::Document;
using store::DocumentFilter;
using store::DocumentSort;
using store::DocumentStatus;
using store::DocumentUpdate;
using store::JobState;
using store::Page;
using store::QueryCount;
using store::Report;
using store::Role;
using store::User;
using store::UserUpdate;
using store::Visibility;

// The names of the records' enumerations as stored and shown ("ready", "public", "admin").
std::string_view status_name(DocumentStatus s);
std::string_view visibility_name(Visibility v);
Visibility parse_visibility(std::string_view s);
std::string_view role_name(Role r);
Role parse_role(std::string_view s);

}  // namespace wenku::library
