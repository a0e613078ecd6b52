#![no_std]
#![no_main]
crease_rt::entry!(main);
fn main() {}
