#include "library/types.h"

namespace wenku::library {

std::string_view status_name(DocumentStatus s) { return store::status_name(s); }
std::string_view visibility_name(Visibility v) { return store::visibility_name(v); }
Visibility parse_visibility(std::string_view s) { return store::parse_visibility(s); }
std::string_view role_name(Role r) { return store::role_name(r); }
Role parse_role(std::string_view s) { return store::parse_role(s); }

}  // namespace wenku::library
