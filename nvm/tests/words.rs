//! Memory is mapped in whole words, as the circuits see it: a segment's first and last word
//! are mapped whole (the bytes outside the segment are zero, with its permissions), and two
//! segments with different permissions may not share a word.

mod common;

use common::*;
use crease_nvm::encode::*;
use crease_nvm::{run, Error, Input, Isa, Program, RunOptions, Segment};

fn data_segment(vaddr: u32, size: u32, write: bool) -> Segment {
    Segment {
        vaddr,
        mem_size: size,
        data: vec![0xab; size as usize],
        read: true,
        write,
        exec: false,
    }
}

fn with_data(code: &[u32], data: Vec<Segment>) -> Result<Program, Error> {
    let mut segs = vec![segments(code).remove(0)];
    segs.extend(data);
    Program::from_parts(CODE, segs, &Isa::rv32im())
}

fn exit_code(p: &Program) -> Result<i32, Error> {
    run(p, &Input::default(), RunOptions::default()).map(|e| e.exit_code)
}

/// `a0 = lbu(DATA + offset)`, then exit with it.
fn load_byte(offset: i32) -> Vec<u32> {
    let mut c = set(T0, DATA);
    c.push(lbu(A0, T0, offset));
    then_exit_with(c, A0)
}

#[test]
fn the_bytes_of_a_segments_last_word_past_its_end_read_as_zero() {
    let p = with_data(&load_byte(5), vec![data_segment(DATA, 5, false)]).expect("loads");
    assert_eq!(exit_code(&p).expect("runs"), 0);
    let p = with_data(&load_byte(4), vec![data_segment(DATA, 5, false)]).expect("loads");
    assert_eq!(exit_code(&p).expect("runs"), 0xab);
    // The next word is not mapped.
    let p = with_data(&load_byte(8), vec![data_segment(DATA, 5, false)]).expect("loads");
    assert!(exit_code(&p).is_err());
    // A writable segment's last word can be written whole.
    let mut c = set(T0, DATA);
    c.extend(set(T1, 0x1122_3344));
    c.push(sw(T1, T0, 4));
    c.push(lbu(A0, T0, 7));
    let p = with_data(&then_exit_with(c, A0), vec![data_segment(DATA, 5, true)]).expect("loads");
    assert_eq!(exit_code(&p).expect("runs"), 0x11);
}

#[test]
fn segments_sharing_a_word_must_share_their_permissions() {
    let code = load_byte(6);
    let shared = |write: bool| {
        with_data(
            &code,
            vec![
                data_segment(DATA, 6, false),
                data_segment(DATA + 6, 10, write),
            ],
        )
    };
    assert!(matches!(
        shared(true),
        Err(Error::SegmentsShareWord { first, second }) if first == DATA && second == DATA + 6
    ));
    let p = shared(false).expect("the same permissions may share a word");
    assert_eq!(exit_code(&p).expect("runs"), 0xab);
}
