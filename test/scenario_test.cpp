// Scenarios from actor lists and TOML files, and the errors bad ones get.

#include <doctest/doctest.h>

#include "model/error.hpp"
#include "model/scenario.hpp"

using namespace dirtyrace::model;

namespace {

std::string error_of(Scenario s) {
  try {
    s.validate_and_resolve();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

Scenario basic() {
  Scenario s;
  s.variant = &variant_named("linux-6.12");
  s.actors = parse_actor_list("writer,flusher");
  return s;
}

}  // namespace

TEST_CASE("actor lists: kinds, mappings and counts") {
  const auto a = parse_actor_list("writer*2,flusher,msync@1,munmap@2");
  REQUIRE(a.size() == 5);
  CHECK(a[0].kind == ActorKind::writer);
  CHECK(a[1].kind == ActorKind::writer);
  CHECK(a[2].kind == ActorKind::flusher);
  CHECK(a[3].kind == ActorKind::msync);
  CHECK(a[3].mapping == 1);
  CHECK(a[4].mapping == 2);
  CHECK_THROWS_WITH_AS(parse_actor_list("writer,bogus"),
                       doctest::Contains("unknown actor 'bogus'; valid actors: writer"),
                       UsageError);
  CHECK_THROWS_AS(parse_actor_list("writer,,flusher"), UsageError);
  CHECK_THROWS_AS(parse_actor_list("flusher@1"), UsageError);
  CHECK_THROWS_AS(parse_actor_list("writer*0"), UsageError);
  CHECK_THROWS_AS(parse_actor_list("writer*x"), UsageError);
}

TEST_CASE("writers take mappings round-robin") {
  Scenario s = basic();
  s.mappings = 2;
  s.actors = parse_actor_list("writer*3");
  s.validate_and_resolve();
  CHECK(s.actors[0].mapping == 0);
  CHECK(s.actors[1].mapping == 1);
  CHECK(s.actors[2].mapping == 0);
}

TEST_CASE("impossible scenarios are rejected with the bound and the option to change") {
  Scenario s = basic();
  s.pages = 0;
  CHECK(error_of(s) == "pages is 0 but must be 1 to 4 (--pages)");
  s = basic();
  s.mappings = 4;
  CHECK(error_of(s) == "mappings is 4 but must be 1 to 3 (--mappings)");
  s = basic();
  s.actors = parse_actor_list("msync@1");
  CHECK(error_of(s).find("msync0 uses mapping 1 but the scenario has 1 mapping(s)") == 0);
  s = basic();
  s.actors[1].kind = ActorKind::reclaim;
  s.actors[1].first_page = 0;
  s.actors[1].last_page = 3;
  CHECK(error_of(s) == "reclaim0 has page range 0..3 outside the file's pages 0..0");
  s = basic();
  s.actors[0].blocks = {0, 5};
  CHECK(error_of(s) == "writer0 stores to block 5 outside the file's blocks 0..0");
  s = basic();
  s.actors.clear();
  CHECK(error_of(s).find("no actors") == 0);
  s = basic();
  s.actors = parse_actor_list("writer*5,flusher*4");
  CHECK(error_of(s).find("number of actors is 9") == 0);
  s = basic();
  s.stable_writes = true;
  s.variant = &variant_named("linux-2.6.32");
  CHECK(error_of(s).find("--stable-writes needs a kernel with stable pages") == 0);
  CHECK_THROWS_WITH_AS(variant_named("linux-3.0"),
                       doctest::Contains("valid variants: linux-2.6.18, linux-2.6.19"), UsageError);
}

TEST_CASE("scenario files: every field, and back to TOML") {
  const Scenario s = parse_scenario_toml(R"(
variant = "linux-2.6.18"
pages = 2
blocks = 2
mappings = 2
stores = 3
properties = ["msync_durability"]

[[actors]]
kind = "writer"
mapping = 0
targets = [0, 2]

[[actors]]
kind = "msync"
mapping = 1
pages = [1, 1]

[[actors]]
kind = "flusher"
count = 2
)",
                                         "test.toml");
  CHECK(s.variant->name == "linux-2.6.18");
  CHECK(s.pages == 2);
  CHECK(s.blocks_per_page == 2);
  CHECK(s.stores == 3);
  REQUIRE(s.actors.size() == 4);
  CHECK(s.actors[0].blocks == std::vector<int>{0, 2});
  CHECK(s.actors[1].first_page == 1);
  CHECK(s.actors[3].kind == ActorKind::flusher);
  CHECK(s.properties == std::vector<std::string>{"msync_durability"});
  Scenario again = parse_scenario_toml(to_toml(s), "again.toml");
  CHECK(to_toml(again) == to_toml(s));
}

TEST_CASE("mprotect acts through a mapping on a page range, from a list or a file") {
  const auto a = parse_actor_list("writer,mprotect@1");
  REQUIRE(a.size() == 2);
  CHECK(a[1].kind == ActorKind::mprotect);
  CHECK(a[1].mapping == 1);
  const Scenario s = parse_scenario_toml(R"(
variant = "linux-4.9"
pages = 2
mappings = 2

[[actors]]
kind = "mprotect"
mapping = 1
pages = [1, 1]
)",
                                         "mprotect.toml");
  CHECK(s.variant->name == "linux-4.9");
  REQUIRE(s.actors.size() == 1);
  CHECK(s.actors[0].kind == ActorKind::mprotect);
  CHECK(s.actors[0].mapping == 1);
  CHECK(s.actors[0].first_page == 1);
  CHECK(to_toml(parse_scenario_toml(to_toml(s), "again.toml")) == to_toml(s));
  // It takes a page range, not a byte range or stores.
  CHECK_THROWS_WITH_AS(
      parse_scenario_toml("[[actors]]\nkind = \"mprotect\"\nstores = 2", "bad.toml"),
      doctest::Contains("'stores' does not apply to mprotect"), UsageError);
  CHECK_THROWS_WITH_AS(
      parse_scenario_toml("[[actors]]\nkind = \"mprotect\"\noff = 0\nlen = 4096", "bad.toml"),
      doctest::Contains("takes no byte range"), UsageError);
  Scenario far = basic();
  far.actors = parse_actor_list("writer,mprotect@1");
  CHECK(error_of(far).find("mprotect0 uses mapping 1") != std::string::npos);
}

TEST_CASE("bad scenario files name the file, the place and the problem") {
  CHECK_THROWS_WITH_AS(parse_scenario_toml("pages = [", "bad.toml"),
                       doctest::Contains("bad.toml:1:"), UsageError);
  CHECK_THROWS_WITH_AS(parse_scenario_toml("pagez = 2", "bad.toml"),
                       doctest::Contains("unknown key 'pagez'"), UsageError);
  CHECK_THROWS_WITH_AS(parse_scenario_toml("pages = \"two\"", "bad.toml"),
                       doctest::Contains("'pages' must be an integer"), UsageError);
  CHECK_THROWS_WITH_AS(parse_scenario_toml("[[actors]]\nmapping = 0", "bad.toml"),
                       doctest::Contains("has no 'kind'"), UsageError);
  CHECK_THROWS_WITH_AS(
      parse_scenario_toml("[[actors]]\nkind = \"flusher\"\nmapping = 1", "bad.toml"),
      doctest::Contains("does not act through a mapping"), UsageError);
  CHECK_THROWS_WITH_AS(read_scenario_file("/nonexistent/x.toml"),
                       doctest::Contains("cannot read scenario file"), UsageError);
}

TEST_CASE("the filesystem: a key and an option, checked against the variant") {
  Scenario s = basic();
  CHECK(s.fs == Filesystem::generic);
  s.fs = Filesystem::ext3;
  CHECK(error_of(s) ==
        "--fs ext3 is not modelled on linux-6.12 (it models: generic, blockdev, ext4)");
  s.variant = &variant_named("linux-2.6.32");
  CHECK(error_of(s).empty());
  CHECK_THROWS_WITH_AS(
      filesystem_named("ext9"),
      "unknown filesystem 'ext9'; valid filesystems: generic, ext3, blockdev, ext4",
      const UsageError&);
  for (const Variant& v : all_variants()) {
    CAPTURE(v.name);
    CHECK(has_filesystem(v, Filesystem::generic));
    CHECK(has_filesystem(v, Filesystem::ext3) ==
          (v.name == "linux-2.6.32" || v.name == "linux-3.14"));
    // A block device everywhere but 2.6.29, whose fault path without ->page_mkwrite is not
    // modelled.
    CHECK(has_filesystem(v, Filesystem::blockdev) == (v.name != "linux-2.6.29"));
  }
  Scenario journal = basic();
  journal.fs = Filesystem::blockdev;
  journal.actors = parse_actor_list("writer,journal");
  CHECK(error_of(journal) ==
        "--fs blockdev has no journal; drop the journal actor from --actors or pick another --fs");

  const Scenario file = parse_scenario_toml(
      "variant = \"linux-2.6.32\"\nfs = \"ext3\"\n[[actors]]\nkind = \"writer\"\n", "ext3.toml");
  CHECK(file.fs == Filesystem::ext3);
  const std::string toml = to_toml(file);
  CHECK(toml.find("fs = 'ext3'") != std::string::npos);
  CHECK(parse_scenario_toml(toml, "back").fs == Filesystem::ext3);
  CHECK(to_toml(basic()).find("fs") == std::string::npos);  // the default is not written
  CHECK_THROWS_WITH_AS(parse_scenario_toml("fs = 3\n", "bad.toml"), doctest::Contains("'fs'"),
                       const UsageError&);
  CHECK_THROWS_WITH_AS(parse_scenario_toml("fs = \"zfs\"\n", "bad.toml"),
                       doctest::Contains("unknown filesystem 'zfs'"), const UsageError&);
}
