//! The platform emulator (to be written): faithful imitations of the
//! WeChat, Facebook and X APIs on loopback.
