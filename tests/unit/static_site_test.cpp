#include "poki/web/static_site.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "poki/http/conditional.hpp"

#include "support/test_support.hpp"

namespace poki::web {
namespace {

namespace fs = std::filesystem;

using test::write_file;

/// A built app as the web build lays it out, plus what must never be served.
class StaticSiteTest : public ::testing::Test {
  protected:
    StaticSiteTest() : root_{test::temp_dir("poki-web")} {
        write_file(root_ / "index.html", "<!doctype html><title>Poki</title>");
        write_file(root_ / "index.html.gz", "gzipped-index");
        write_file(root_ / "assets" / "app-5XK2B3QZ.js", "console.log(1)");
        write_file(root_ / "assets" / "app-5XK2B3QZ.js.br", "brotli-app");
        write_file(root_ / "assets" / "app-5XK2B3QZ.js.gz", "gzip-app");
        write_file(root_ / "assets" / "app-5XK2B3QZ.css", "body{}");
        write_file(root_ / "manifest.webmanifest", "{}");
        write_file(root_ / "icons" / "icon-192.png", "png");
        write_file(root_ / ".env", "SECRET=1");
        write_file(root_ / ".git" / "config", "[core]");
        write_file(root_.parent_path() / (root_.filename().string() + "-outside.txt"), "outside");
        fs::create_symlink(root_.parent_path() / (root_.filename().string() + "-outside.txt"),
                           root_ / "link.txt");
        fs::create_directory_symlink("/etc", root_ / "etc");
        site_ = static_site::load(root_);
    }

  public:
    ~StaticSiteTest() override {
        fs::remove_all(root_);
        fs::remove(root_.parent_path() / (root_.filename().string() + "-outside.txt"));
    }

  protected:
    fs::path root_;
    static_site site_;
};

TEST_F(StaticSiteTest, ServesFilesAndTheAppPageForClientRoutes) {
    const auto* index = site_.resolve("/");
    ASSERT_NE(index, nullptr);
    EXPECT_TRUE(index->is_html);
    EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
    EXPECT_EQ(index->cache_control, "no-cache");
    EXPECT_EQ(site_.resolve("/family"), index);
    EXPECT_EQ(site_.resolve("/chat/rooms/3"), index);
    EXPECT_EQ(site_.resolve("/index.html"), index);
    const auto* app = site_.resolve("/assets/app-5XK2B3QZ.js");
    ASSERT_NE(app, nullptr);
    EXPECT_EQ(app->content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(app->cache_control, "public, max-age=31536000, immutable");
    EXPECT_EQ(site_.resolve("/assets/app-5XK2B3QZ.css")->content_type, "text/css; charset=utf-8");
    EXPECT_EQ(site_.resolve("/manifest.webmanifest")->content_type, "application/manifest+json");
    EXPECT_EQ(site_.resolve("/manifest.webmanifest")->cache_control, "no-cache");
    EXPECT_EQ(site_.resolve("/icons/icon-192.png")->content_type, "image/png");
    // Precompressed files are variants, not pages of their own.
    EXPECT_EQ(site_.resolve("/assets/app-5XK2B3QZ.js.gz"), nullptr);
    EXPECT_EQ(site_.file_count(), 5U);
}

TEST_F(StaticSiteTest, AMissingFileIsNotThePage) {
    EXPECT_EQ(site_.resolve("/assets/app-OLDHASH1.js"), nullptr);
    EXPECT_EQ(site_.resolve("/favicon.ico"), nullptr);
}

TEST_F(StaticSiteTest, TheApiAndOperatorPathsAreNeverThePage) {
    for (const auto* path : {"/api", "/api/", "/api/v1/unknown", "/healthz", "/readyz/x",
                             "/metrics", "/ical/abc.ics", "/%61pi/v1/unknown"}) {
        EXPECT_EQ(site_.resolve(path), nullptr) << path;
    }
    EXPECT_NE(site_.resolve("/apiary"), nullptr);
}

TEST_F(StaticSiteTest, NoPathEscapesTheRoot) {
    const std::string outside = "/../" + root_.filename().string() + "-outside.txt";
    for (const std::string& path :
         {outside, std::string{"/assets/../index.html"}, std::string{"/%2e%2e/etc/passwd"},
          std::string{"/%2E%2E/%2e%2e/etc/passwd"}, std::string{"/assets/%2e%2e%2fidx"},
          std::string{"/.."}, std::string{"/./index.html"}, std::string{R"(/..\..\etc\passwd)"},
          std::string{R"(/assets\app-5XK2B3QZ.js)"}, std::string{"/%5c..%5cetc"},
          std::string{"/index.html%00.png"}, std::string{"/a%00b"}, std::string{"/%ff"},
          std::string{"/%zz"}, std::string{"relative"}}) {
        EXPECT_EQ(site_.resolve(path), nullptr) << path;
    }
}

TEST_F(StaticSiteTest, DotFilesAndLinksAreNotLoaded) {
    EXPECT_EQ(site_.resolve("/.env"), nullptr);
    EXPECT_EQ(site_.resolve("/.git/config"), nullptr);
    EXPECT_EQ(site_.resolve("/link.txt"), nullptr);
    // The linked folder was not read: its paths are client routes like any other.
    EXPECT_EQ(site_.resolve("/etc/passwd"), site_.resolve("/"));
    EXPECT_EQ(site_.resolve("/etc/hosts.allow"), nullptr);
}

TEST_F(StaticSiteTest, AcceptEncodingChoosesAPrecompressedVariant) {
    const auto& app = *site_.resolve("/assets/app-5XK2B3QZ.js");
    ASSERT_TRUE(app.has_variants());
    EXPECT_EQ(app.body_for("gzip, deflate, br").coding, content_coding::br);
    EXPECT_EQ(app.body_for("gzip, deflate, br").bytes, "brotli-app");
    EXPECT_EQ(app.body_for("gzip").coding, content_coding::gzip);
    EXPECT_EQ(app.body_for("br;q=0.5, gzip;q=0.8").coding, content_coding::gzip);
    EXPECT_EQ(app.body_for("br;q=0, gzip").coding, content_coding::gzip);
    EXPECT_EQ(app.body_for("*").coding, content_coding::br);
    EXPECT_EQ(app.body_for("*;q=0").coding, content_coding::identity);
    EXPECT_EQ(app.body_for("").coding, content_coding::identity);
    EXPECT_EQ(app.body_for("identity").bytes, "console.log(1)");
    EXPECT_EQ(app.body_for("gzip;q=bogus").coding, content_coding::identity);
    const auto& css = *site_.resolve("/assets/app-5XK2B3QZ.css");
    EXPECT_FALSE(css.has_variants());
    EXPECT_EQ(css.body_for("br, gzip").coding, content_coding::identity);
}

TEST_F(StaticSiteTest, EachVariantHasItsOwnStrongEtag) {
    const auto& app = *site_.resolve("/assets/app-5XK2B3QZ.js");
    const auto& identity = app.body_for("");
    const auto& gzip = app.body_for("gzip");
    EXPECT_NE(identity.etag, gzip.etag);
    EXPECT_TRUE(identity.etag.starts_with('"') && identity.etag.ends_with('"'));
    EXPECT_TRUE(poki::http::etag_matches(identity.etag, identity.etag));
    EXPECT_TRUE(poki::http::etag_matches("\"x\", " + identity.etag, identity.etag));
    EXPECT_TRUE(poki::http::etag_matches("W/" + identity.etag, identity.etag));
    EXPECT_TRUE(poki::http::etag_matches("*", identity.etag));
    EXPECT_FALSE(poki::http::etag_matches(gzip.etag, identity.etag));
    EXPECT_FALSE(poki::http::etag_matches("", identity.etag));
}

TEST(StaticSite, NamesWithTheBuildsHashAreImmutable) {
    EXPECT_TRUE(has_content_hash("app-5XK2B3QZ.js"));
    EXPECT_TRUE(has_content_hash("chunk-ABCDEFGH.css"));
    EXPECT_FALSE(has_content_hash("index.html"));
    EXPECT_FALSE(has_content_hash("icon-192.png"));
    EXPECT_FALSE(has_content_hash("app-lowercase.js"));
    EXPECT_EQ(content_type_for("x.unknown"), "application/octet-stream");
    EXPECT_EQ(content_type_for("FONT.WOFF2"), "font/woff2");
}

TEST(StaticSite, RefusesARootItCannotServe) {
    const auto root = test::temp_dir("poki-web-bad");
    EXPECT_THROW((void)static_site::load(root / "missing"), site_error);
    EXPECT_THROW((void)static_site::load(root), site_error);  // no index.html
    write_file(root / "index.html", std::string(2048, 'x'));
    EXPECT_THROW((void)static_site::load(root, 1024), site_error);
    EXPECT_NO_THROW((void)static_site::load(root, 4096));
    fs::remove_all(root);
}

}  // namespace
}  // namespace poki::web
