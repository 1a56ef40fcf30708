//! Integration tests against local AWS emulators started by the tests themselves (moto,
//! LocalStack), on 127.0.0.1 only. They fail, not skip, when an emulator is not
//! installed: run `scripts/emulators/install.sh` first (the test script does).

mod addons;
mod adopt;
mod assets;
mod cdn_certificate;
mod cfn_races;
mod containers;
mod copilot_cli;
mod copilot_golden;
mod domains;
mod harness;
mod images;
mod imported_alb;
mod internal_lb;
mod localstack;
mod locks;
mod moto;
mod ownership;
mod rollouts;
mod routing;
mod storage;
mod workloads;
