#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodyseal_fuzz::jwe_parse(data));
