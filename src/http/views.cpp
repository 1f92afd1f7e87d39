// Template rendering.
#include "http/views.h"

#include <map>
#include <mutex>
#include <stdexcept>

#include "core/strings.h"
#include "http/assets.h"
#include "http/request_helpers.h"

namespace wenku::http {

namespace {

const std::string& template_text(const std::string& name) {
  // Compiled-in assets never change: each template's text is made once.
  static std::mutex mu;
  static std::map<std::string, std::string> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  auto a = asset("templates/" + name + ".html");
  if (!a) throw std::logic_error("missing template " + name);
  return cache.emplace(name, std::string(*a)).first->second;
}

const std::map<std::string, std::string>& partials() {
  static const std::map<std::string, std::string> p = {{"card", template_text("card")},
                                                       {"pager", template_text("pager")}};
  return p;
}

}  // namespace

std::string Views::page(const std::string& name, mstch::map context, const Frame& frame, const Visitor& v,
                        const std::string& origin) const {
  SiteConfig cfg = site_.config();
  context["t"] = site_.strings(v.lang);
  context["site"] = mstch::map{{"site_name", cfg.site_name},
                               {"footer_text", cfg.footer_text},
                               {"copyright", cfg.copyright},
                               {"icp", cfg.icp}};
  context["csrf"] = v.csrf;
  if (v.user) {
    context["user"] = mstch::map{{"name", v.user->name}};
    context["staff"] = v.is_staff();
  } else {
    context["user"] = false;
  }
  context["page_title"] = frame.title;
  context["meta_description"] = utf8_prefix(frame.description, 160);
  context["canonical"] = frame.canonical.empty() ? std::string() : origin + frame.canonical;
  context["og_image"] = frame.og_image.empty() ? std::string() : origin + frame.og_image;
  context["og_type"] = frame.og_type;
  context["noindex"] = frame.noindex;
  if (!context.count("q")) context["q"] = frame.q;
  context["layout_q"] = frame.q;
  context["here"] = url_encode(frame.here);
  context["desktop"] = v.desktop;
  // One node for both renders: mstch takes a node, and handing it a map would deep-copy the
  // whole context (strings of the language included) on every render.
  mstch::node root(std::move(context));
  std::string body = mstch::render(template_text(name), root, partials());
  // Already escaped by its own template; emitted with {{{body}}}.
  boost::get<mstch::map>(root)["body"] = std::move(body);
  return mstch::render(template_text("layout"), root);
}

}  // namespace wenku::http
