// A Mosquitto ACL translated into policy rules decides as Mosquitto 2 does:
// each case loads the translation into the real engine and decides publishes
// and deliveries.
#include <gtest/gtest.h>

#include <string>

#include "app/acl_file.hpp"
#include "app/acl_policy.hpp"
#include "policy/engine.hpp"

namespace mqwarden::app {
namespace {

using policy::Activity;
using policy::Event;
using policy::Identity;
using policy::Mode;

Identity identity(std::string_view id, std::string_view username) {
  Identity out;
  out.id = id;
  out.username = username;
  return out;
}

class AclDecisions : public ::testing::Test {
 protected:
  // Loads the translation of `acl` into the engine; it must load without a warning.
  void load(std::string_view acl) {
    auto parsed = parse_acl(acl, "acl.conf");
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    policy::SourceSet sources;
    sources.add("acl.policy", acl_policy(*parsed, "acl.conf"));
    auto loaded = engine_.load(sources);
    ASSERT_TRUE(loaded.ok()) << policy::format(loaded.error(), sources) << sources.file(0).text;
    EXPECT_TRUE(loaded->empty()) << policy::format(*loaded, sources);
  }

  bool may_publish(std::string_view id, std::string_view username, std::string_view topic) const {
    Event event;
    event.mode = Mode::tentative;
    event.activity = Activity::publish;
    event.client = identity(id, username);
    event.topic = topic;
    return !engine_.decide(event).denied();
  }

  // Whether a message on `topic` from another client goes to this subscriber.
  bool may_receive(std::string_view id, std::string_view username, std::string_view topic) const {
    Event event;
    event.mode = Mode::tentative;
    event.activity = Activity::deliver;
    event.client = identity("publisher", "");
    event.subscriber = identity(id, username);
    event.topic = topic;
    return !engine_.decide(event).denied();
  }

  bool may_subscribe(std::string_view id, std::string_view username, std::string_view filter) const {
    Event event;
    event.mode = Mode::tentative;
    event.activity = Activity::subscribe;
    event.client = identity(id, username);
    event.topic = filter;
    return !engine_.decide(event).denied();
  }

  policy::Engine engine_{policy::Registry::defaults(), policy::HostFunctions{}};
};

TEST_F(AclDecisions, AUserBlockGrantsItsTopicsToThatUserOnly) {
  load("user alice\ntopic sensors/#\n");
  EXPECT_TRUE(may_publish("c1", "alice", "sensors/lab/t"));
  EXPECT_TRUE(may_publish("c1", "alice", "sensors"));  // "sensors/#" also matches "sensors"
  EXPECT_FALSE(may_publish("c1", "alice", "other/t"));
  EXPECT_FALSE(may_publish("c1", "bob", "sensors/lab/t"));  // no block: nothing granted
  EXPECT_FALSE(may_publish("c1", "", "sensors/lab/t"));
  EXPECT_TRUE(may_receive("c1", "alice", "sensors/lab/t"));
  EXPECT_FALSE(may_receive("c1", "bob", "sensors/lab/t"));
}

TEST_F(AclDecisions, ReadGrantsDeliveriesWriteGrantsPublishesReadwriteBoth) {
  load("user a\ntopic read r/#\ntopic write w/#\ntopic rw/#\ntopic readwrite both/#\n");
  EXPECT_FALSE(may_publish("c", "a", "r/1"));
  EXPECT_TRUE(may_receive("c", "a", "r/1"));
  EXPECT_TRUE(may_publish("c", "a", "w/1"));
  EXPECT_FALSE(may_receive("c", "a", "w/1"));
  EXPECT_TRUE(may_publish("c", "a", "rw/1"));
  EXPECT_TRUE(may_receive("c", "a", "rw/1"));
  EXPECT_TRUE(may_publish("c", "a", "both/1"));
  EXPECT_TRUE(may_receive("c", "a", "both/1"));
}

TEST_F(AclDecisions, ADenyLineWinsOverTheGrantsOfItsBlockAndOverThePatterns) {
  load("user a\ntopic deny sensors/secret/#\ntopic sensors/#\npattern readwrite sensors/%c/#\n");
  EXPECT_TRUE(may_publish("c", "a", "sensors/lab"));
  EXPECT_FALSE(may_publish("c", "a", "sensors/secret/1"));
  EXPECT_FALSE(may_receive("c", "a", "sensors/secret"));
  EXPECT_FALSE(may_publish("secret", "a", "sensors/secret/1"));  // the pattern grants it, the deny line wins
  EXPECT_TRUE(may_publish("secret", "b", "sensors/secret/1"));   // b has no deny line
}

TEST_F(AclDecisions, TheLinesBeforeAnyUserLineApplyToClientsWithoutAUsername) {
  load("topic read public/#\nuser alice\ntopic alice/#\n");
  EXPECT_TRUE(may_receive("c", "", "public/news"));
  EXPECT_FALSE(may_publish("c", "", "public/news"));
  EXPECT_FALSE(may_receive("c", "alice", "public/news"));  // alice has her own block
  EXPECT_FALSE(may_receive("c", "", "alice/x"));
}

TEST_F(AclDecisions, PatternsSubstituteTheClientId) {
  load("pattern readwrite devices/%c/#\n");
  EXPECT_TRUE(may_publish("dev1", "", "devices/dev1/state"));
  EXPECT_TRUE(may_publish("dev1", "anyone", "devices/dev1/state"));
  EXPECT_FALSE(may_publish("dev1", "", "devices/dev2/state"));
  EXPECT_TRUE(may_receive("dev2", "", "devices/dev2/cmd"));
  EXPECT_FALSE(may_receive("dev1", "", "devices/dev2/cmd"));
}

TEST_F(AclDecisions, PatternsSubstituteTheUsernameAndNeedOne) {
  load("pattern read users/%u/inbox\npattern write out/x%uy\n");
  EXPECT_TRUE(may_receive("c", "alice", "users/alice/inbox"));
  EXPECT_FALSE(may_receive("c", "alice", "users/bob/inbox"));
  EXPECT_FALSE(may_receive("c", "", "users//inbox"));     // no username: a %u pattern grants nothing
  EXPECT_TRUE(may_publish("c", "alice", "out/xalicey"));  // substituted anywhere, as Mosquitto does
}

TEST_F(AclDecisions, WildcardsOrSlashesInAnIdOrUsernameDoNotWidenAGrant) {
  load("pattern readwrite devices/%c/#\npattern read users/%u/#\nuser x+y\ntopic own/#\n");
  EXPECT_FALSE(may_publish("+", "", "devices/dev2/state"));
  EXPECT_FALSE(may_publish("#", "", "devices/dev2/state"));
  EXPECT_FALSE(may_publish("+", "", "devices/+/state"));
  EXPECT_FALSE(may_publish("a/b", "", "devices/a/b/state"));  // would reach into a's level
  EXPECT_TRUE(may_publish("a", "", "devices/a/b/state"));
  EXPECT_FALSE(may_receive("c", "+", "users/bob/x"));
  EXPECT_FALSE(may_receive("c", "a/b", "users/a/b/x"));
  EXPECT_TRUE(may_receive("c", "org/alice", "devices/c/x"));  // only the values substituted must hold no '/'
  // As in Mosquitto, a username with '+' or '#' gets no pattern grant at all; its own block still applies.
  EXPECT_FALSE(may_publish("dev1", "x+y", "devices/dev1/state"));
  EXPECT_TRUE(may_publish("dev1", "x+y", "own/1"));
}

TEST_F(AclDecisions, APatternDenyWinsOverPatternGrantsButNotOverTheUsersBlock) {
  load("pattern readwrite devices/%c/#\npattern deny devices/%c/locked\nuser admin\ntopic devices/+/locked\n");
  EXPECT_TRUE(may_publish("dev1", "", "devices/dev1/state"));
  EXPECT_FALSE(may_publish("dev1", "", "devices/dev1/locked"));
  EXPECT_FALSE(may_receive("dev1", "", "devices/dev1/locked"));
  EXPECT_TRUE(may_publish("dev1", "admin", "devices/dev1/locked"));
}

TEST_F(AclDecisions, SubscriptionsAreNotCheckedEachDeliveryIs) {
  load("user alice\ntopic read a/#\n");
  // Mosquitto accepts every subscription and filters what it delivers.
  EXPECT_TRUE(may_subscribe("c", "alice", "a/b/+"));
  EXPECT_TRUE(may_subscribe("c", "alice", "#"));
  EXPECT_TRUE(may_receive("c", "alice", "a/b/c"));
  EXPECT_FALSE(may_receive("c", "alice", "b/c"));
}

TEST_F(AclDecisions, DeliveriesAreDecidedPerSubscriber) {
  load("user alice\ntopic read a/#\nuser bob\ntopic read b/#\npattern read inbox/%c\n");
  Event delivery;
  delivery.mode = Mode::tentative;
  delivery.activity = Activity::deliver;
  delivery.client = identity("publisher", "carol");
  delivery.topic = "a/x";
  const policy::PublicationContext publication = engine_.prepare_delivery(delivery);
  EXPECT_FALSE(engine_.decide_delivery(publication, identity("c1", "alice")).denied());
  EXPECT_TRUE(engine_.decide_delivery(publication, identity("c2", "bob")).denied());
  EXPECT_TRUE(engine_.decide_delivery(publication, identity("c3", "")).denied());
  delivery.topic = "inbox/c2";
  const policy::PublicationContext inbox = engine_.prepare_delivery(delivery);
  EXPECT_TRUE(engine_.decide_delivery(inbox, identity("c1", "alice")).denied());
  EXPECT_FALSE(engine_.decide_delivery(inbox, identity("c2", "bob")).denied());
}

TEST_F(AclDecisions, SysTopicsNeedAGrantStartingWithDollar) {
  load("user admin\ntopic read $SYS/#\nuser bob\ntopic read #\n");
  EXPECT_TRUE(may_receive("c", "admin", "$SYS/broker/uptime"));
  EXPECT_FALSE(may_receive("c", "bob", "$SYS/broker/uptime"));
  EXPECT_TRUE(may_receive("c", "bob", "a/b"));
}

TEST_F(AclDecisions, AnEmptyFileDeniesEveryPublishAndDelivery) {
  load("# nothing granted\n");
  EXPECT_FALSE(may_publish("c", "alice", "a"));
  EXPECT_FALSE(may_receive("c", "alice", "a"));
  EXPECT_FALSE(may_publish("c", "", "a"));
}

TEST_F(AclDecisions, LinesThatMatchNoMessageAreLeftOut) {
  load("topic read $share/+/x\ntopic read \xFF\nuser bob\ntopic read ok/#\ntopic deny $share/g\ntopic $share/g/#\n");
  EXPECT_TRUE(may_receive("c", "bob", "ok/1"));
  EXPECT_FALSE(may_receive("c", "", "ok/1"));
  // Mosquitto lets no client publish on a topic starting with "$share", whatever its ACL grants.
  EXPECT_FALSE(may_publish("c", "bob", "$share/g/x"));
}

}  // namespace
}  // namespace mqwarden::app
