// SigV4 against the examples of the Amazon S3 API reference ("Signature calculations for
// the Authorization header: transferring payload in a single chunk", examples GET object,
// PUT object, GET bucket lifecycle, GET bucket list objects), with their published
// signatures.
#include "blob/sigv4.h"

#include <gtest/gtest.h>

#include "core/hash.h"

namespace wenku::blob::sigv4 {
namespace {

const Credentials kCreds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
constexpr std::string_view kDate = "20130524T000000Z";
constexpr std::string_view kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string scope() { return "20130524/us-east-1/s3/aws4_request"; }

TEST(SigV4, GetObjectMatchesTheAwsExample) {
  Request r;
  r.method = "GET";
  r.path = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", std::string(kEmpty)},
               {"x-amz-date", std::string(kDate)}};
  r.payload_sha256 = kEmpty;
  std::string names;
  std::string creq = canonical_request(r, &names);
  EXPECT_EQ(creq,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(string_to_sign(kDate, scope(), creq),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(authorization(kCreds, "us-east-1", "s3", kDate, r),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, PutObjectEncodesThePathAndSignsThePayloadHash) {
  std::string payload = "Welcome to Amazon S3.";
  Request r;
  r.method = "PUT";
  r.path = "/test$file.text";
  r.payload_sha256 = sha256_hex(payload);
  EXPECT_EQ(r.payload_sha256, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-date", std::string(kDate)},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
               {"x-amz-content-sha256", r.payload_sha256}};
  std::string names;
  std::string creq = canonical_request(r, &names);
  EXPECT_NE(creq.find("PUT\n/test%24file.text\n\n"), std::string::npos) << creq;
  EXPECT_EQ(names, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  EXPECT_EQ(string_to_sign(kDate, scope(), creq).substr(string_to_sign(kDate, scope(), creq).rfind('\n') + 1),
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  std::string auth = authorization(kCreds, "us-east-1", "s3", kDate, r);
  EXPECT_NE(auth.find("Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
            std::string::npos)
      << auth;
}

TEST(SigV4, SubresourceWithoutValueGetsAnEmptyValue) {
  Request r;
  r.method = "GET";
  r.path = "/";
  r.query = {{"lifecycle", ""}};
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-date", std::string(kDate)},
               {"x-amz-content-sha256", std::string(kEmpty)}};
  r.payload_sha256 = kEmpty;
  std::string creq = canonical_request(r, nullptr);
  EXPECT_EQ(creq.substr(0, creq.find("\nhost")), "GET\n/\nlifecycle=");
  EXPECT_NE(authorization(kCreds, "us-east-1", "s3", kDate, r)
                .find("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
            std::string::npos);
}

TEST(SigV4, QueryIsSortedAndEncoded) {
  Request r;
  r.method = "GET";
  r.path = "/";
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};  // given out of order on purpose
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-date", std::string(kDate)},
               {"x-amz-content-sha256", std::string(kEmpty)}};
  r.payload_sha256 = kEmpty;
  std::string creq = canonical_request(r, nullptr);
  EXPECT_EQ(creq.substr(0, creq.find("\nhost")), "GET\n/\nmax-keys=2&prefix=J");
  EXPECT_NE(authorization(kCreds, "us-east-1", "s3", kDate, r)
                .find("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
            std::string::npos);
  // What curl#9717 is about: values with reserved characters, and '/' inside values.
  EXPECT_EQ(canonical_query({{"uploadId", "a/b+c=="}, {"partNumber", "10"}, {"continuation-token", "x y~"}}),
            "continuation-token=x%20y~&partNumber=10&uploadId=a%2Fb%2Bc%3D%3D");
  EXPECT_EQ(uri_encode("/p/文/a b", true), "/p/%E6%96%87/a%20b");
}

TEST(SigV4, SigningKeyChainAndDates) {
  // The AWS General Reference's derived-key example (iam, us-east-1, 20120215).
  EXPECT_EQ(hex(signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
  EXPECT_EQ(amz_date(1369353600), "20130524T000000Z");
}

}  // namespace
}  // namespace wenku::blob::sigv4
