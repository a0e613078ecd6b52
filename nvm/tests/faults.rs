//! Guest faults (each kind carries pc and cycle) and the system-call / I/O ABI.

mod common;

use common::*;
use crease_nvm::encode::*;
use crease_nvm::layout::*;
use crease_nvm::{run, Error, FaultKind, Input, Region, RunOptions};

fn exit_seq() -> Vec<u32> {
    vec![addi(A7, 0, 93), ecall()]
}

/// Loads `t2` from `addr` and exits.
fn load_at(addr: u32) -> Vec<u32> {
    let mut code = set(T0, addr);
    code.push(lw(T2, T0, 0));
    then_exit_with(code, T2)
}

/// Stores `t1` to `addr` and exits.
fn store_at(addr: u32) -> Vec<u32> {
    let mut code = set(T0, addr);
    code.push(sw(T1, T0, 0));
    then_exit_with(code, T2)
}

#[test]
fn executing_an_illegal_word_faults_with_the_word() {
    // Zero words are padding: they load, and fault only when executed.
    let code = vec![addi(T0, 0, 1), addi(T0, 0, 2), 0, addi(T0, 0, 3)];
    let fault = fault_of(run_code(&code));
    assert_eq!(fault.kind, FaultKind::IllegalInstruction { word: 0 });
    assert_eq!((fault.pc, fault.cycle), (CODE + 8, 2));
}

#[test]
fn loads_outside_mapped_memory_fault() {
    for addr in [
        0,
        CODE - 4,
        DATA + 0x1000, // same 64 KiB page as the data segment, past its end
        RODATA + 0x1000,
        0x5000_0000,
        PUBLIC_OUTPUT_END,
        0xffff_fffc,
    ] {
        let fault = fault_of(run_code(&load_at(addr)));
        assert_eq!(fault.kind, FaultKind::Unmapped { addr }, "at 0x{addr:08x}");
        assert_eq!((fault.pc, fault.cycle), (CODE + 8, 2));
    }
}

#[test]
fn mapped_regions_are_readable() {
    for addr in [
        CODE,
        DATA + 0xffc,
        RAM_START,
        RAM_END - 4,
        PUBLIC_INPUT,
        PUBLIC_INPUT + IO_REGION_SIZE - 4,
        PRIVATE_INPUT + 8,
        PUBLIC_OUTPUT + 0x100,
        PUBLIC_OUTPUT_END - 4,
    ] {
        run_code(&load_at(addr)).unwrap_or_else(|e| panic!("load at 0x{addr:08x}: {e}"));
    }
}

#[test]
fn code_reads_as_data() {
    let mut code = set(T0, CODE);
    code.push(lw(T2, T0, 0));
    assert_eq!(reg_after(code, T2), set(T0, CODE)[0]);
}

#[test]
fn stores_into_read_only_regions_fault() {
    for (addr, region) in [
        (CODE, Region::Code),
        (RODATA + 8, Region::ReadOnlyData),
        (PUBLIC_INPUT, Region::PublicInput),
        (PUBLIC_INPUT + 0x100, Region::PublicInput),
        (PRIVATE_INPUT + 4, Region::PrivateInput),
    ] {
        let fault = fault_of(run_code(&store_at(addr)));
        assert_eq!(fault.kind, FaultKind::StoreToReadOnly { addr, region });
        assert_eq!((fault.pc, fault.cycle), (CODE + 8, 2));
    }
    for addr in [0, DATA + 0x1000, PUBLIC_OUTPUT_END, 0xffff_fff0] {
        let fault = fault_of(run_code(&store_at(addr)));
        assert_eq!(fault.kind, FaultKind::Unmapped { addr });
    }
    // A byte store into code faults the same way.
    let mut code = set(T0, CODE + 1);
    code.push(sb(T1, T0, 0));
    let fault = fault_of(run_code(&code));
    assert_eq!(
        fault.kind,
        FaultKind::StoreToReadOnly {
            addr: CODE + 1,
            region: Region::Code
        }
    );
}

#[test]
fn ram_and_output_are_writable_and_start_zeroed() {
    for addr in [RAM_START, RAM_END - 4, 0xd123_4560, PUBLIC_OUTPUT + 4] {
        let mut code = set(T0, addr);
        code.push(lw(T2, T0, 0));
        code.push(addi(T2, T2, 5));
        code.push(sw(T2, T0, 0));
        code.push(lw(T2, T0, 0));
        assert_eq!(reg_after(code, T2), 5, "at 0x{addr:08x}");
    }
}

#[test]
fn pc_outside_code_faults() {
    // Run off the end of the code.
    let code = vec![addi(T0, 0, 1)];
    let fault = fault_of(run_code(&code));
    assert_eq!(fault.kind, FaultKind::PcOutsideCode);
    assert_eq!((fault.pc, fault.cycle), (CODE + 4, 1));
    // Jump into data.
    let mut code = set(T0, DATA);
    code.push(jalr(0, T0, 0));
    let fault = fault_of(run_code(&code));
    assert_eq!(fault.kind, FaultKind::PcOutsideCode);
    assert_eq!((fault.pc, fault.cycle), (DATA, 3));
    // Jump below the code.
    let code = vec![jal(0, -8)];
    let fault = fault_of(run_code(&code));
    assert_eq!((fault.kind, fault.pc), (FaultKind::PcOutsideCode, CODE - 8));
}

#[test]
fn unknown_syscall_faults() {
    let code = vec![addi(A7, 0, 1234), ecall()];
    let fault = fault_of(run_code(&code));
    assert_eq!(fault.kind, FaultKind::UnknownSyscall { number: 1234 });
    assert_eq!((fault.pc, fault.cycle), (CODE + 4, 1));
}

#[test]
fn ebreak_faults() {
    let code = vec![addi(T0, 0, 1), ebreak()];
    let fault = fault_of(run_code(&code));
    assert_eq!(fault.kind, FaultKind::Breakpoint);
    assert_eq!((fault.pc, fault.cycle), (CODE + 4, 1));
}

#[test]
fn cycle_limit_faults() {
    let code = vec![addi(T0, 0, 1), jal(0, 0)];
    let options = RunOptions {
        max_cycles: 1000,
        ..RunOptions::default()
    };
    let fault = fault_of(run(&program(&code), &Input::default(), options));
    assert_eq!(fault.kind, FaultKind::CycleLimit { limit: 1000 });
    assert_eq!((fault.pc, fault.cycle), (CODE + 4, 1000));
    // A program that exits exactly at the limit is fine.
    let code = then_exit_with(vec![], 0);
    let options = RunOptions {
        max_cycles: 3,
        ..RunOptions::default()
    };
    assert_eq!(
        run(&program(&code), &Input::default(), options)
            .unwrap()
            .cycles,
        3
    );
}

#[test]
fn oversized_public_output_faults_at_exit() {
    let mut code = set(T0, PUBLIC_OUTPUT);
    code.extend(set(T1, IO_REGION_SIZE - 3));
    code.push(sw(T1, T0, 0));
    code.extend(exit_seq());
    let fault = fault_of(run_code(&code));
    assert_eq!(
        fault.kind,
        FaultKind::OutputTooLong {
            len: IO_REGION_SIZE - 3
        }
    );
    assert_eq!(fault.pc, CODE + 4 * (code.len() as u32 - 1));
}

/// `write(fd, DATA, len)` after storing "hi!\n" at DATA.
fn write_code(fd: u32, len: u32) -> Vec<u32> {
    let mut code = set(T0, DATA);
    code.extend(set(T1, u32::from_le_bytes(*b"hi!\n")));
    code.push(sw(T1, T0, 0));
    code.push(addi(A0, 0, fd as i32));
    code.push(addi(A1, T0, 0));
    code.push(addi(A2, 0, len as i32));
    code.push(addi(A7, 0, 64));
    code.push(ecall());
    code
}

#[test]
fn write_goes_to_stdout_and_stderr() {
    let mut code = write_code(1, 4);
    code.push(addi(T2, A0, 0));
    code.extend(write_code(2, 3));
    code.push(add(T2, T2, A0));
    let exec = run_code(&then_exit_with(code, T2)).unwrap();
    assert_eq!(exec.stdout, b"hi!\n");
    assert_eq!(exec.stderr, b"hi!");
    assert_eq!(exec.exit_code, 7);
}

#[test]
fn write_to_another_fd_returns_ebadf() {
    let code = then_exit_with(write_code(3, 4), A0);
    let exec = run_code(&code).unwrap();
    assert_eq!(exec.exit_code, -9);
    assert!(exec.stdout.is_empty() && exec.stderr.is_empty());
}

#[test]
fn write_from_unmapped_memory_faults() {
    let code = vec![
        addi(A0, 0, 1),
        addi(A1, 0, 16),
        addi(A2, 0, 4),
        addi(A7, 0, 64),
        ecall(),
    ];
    let fault = fault_of(run_code(&code));
    assert_eq!(fault.kind, FaultKind::Unmapped { addr: 16 });
    assert_eq!((fault.pc, fault.cycle), (CODE + 16, 4));
}

#[test]
fn output_before_a_fault_is_kept() {
    let mut code = write_code(1, 4);
    code.extend(write_code(2, 2));
    code.push(ebreak());
    match run_code(&code) {
        Err(Error::Fault {
            fault,
            stdout,
            stderr,
        }) => {
            assert_eq!(fault.kind, FaultKind::Breakpoint);
            assert_eq!(stdout, b"hi!\n");
            assert_eq!(stderr, b"hi");
        }
        other => panic!("expected a fault, got {other:?}"),
    }
    // Streamed to sinks instead.
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let options = RunOptions {
        stdout: Some(&mut out),
        stderr: Some(&mut err),
        ..RunOptions::default()
    };
    let fault = fault_of(run(&program(&code), &Input::default(), options));
    assert_eq!(fault.kind, FaultKind::Breakpoint);
    assert_eq!(
        (out.as_slice(), err.as_slice()),
        (&b"hi!\n"[..], &b"hi"[..])
    );
}

#[test]
fn exit_code_is_signed() {
    let code = vec![addi(A0, 0, -3), addi(A7, 0, 93), ecall(), ebreak()];
    let exec = run_code(&code).unwrap();
    assert_eq!((exec.exit_code, exec.cycles), (-3, 3));
}

#[test]
fn registers_at_entry() {
    assert_eq!(reg_after(vec![], 2), STACK_TOP);
    for r in [1u8, 3, 4, 10, 31] {
        assert_eq!(reg_after(vec![], r), 0);
    }
}

#[test]
fn inputs_are_mapped_with_their_length() {
    let input = Input {
        public: b"public!".to_vec(),
        private: vec![1, 2, 3, 4, 5, 6, 7, 8, 9],
    };
    let code = |base: u32, offset: i32, load: fn(u8, u8, i32) -> u32| {
        let mut code = set(T0, base);
        code.push(load(T2, T0, offset));
        then_exit_with(code, T2)
    };
    let value = |c: Vec<u32>| run_code_with(&c, &input).unwrap().exit_code as u32;
    assert_eq!(value(code(PUBLIC_INPUT, 0, lw)), 7);
    assert_eq!(
        value(code(PUBLIC_INPUT, 4, lw)),
        u32::from_le_bytes(*b"publ")
    );
    assert_eq!(value(code(PUBLIC_INPUT, 10, lbu)), b'!' as u32);
    assert_eq!(value(code(PUBLIC_INPUT, 11, lbu)), 0);
    assert_eq!(value(code(PRIVATE_INPUT, 0, lw)), 9);
    assert_eq!(value(code(PRIVATE_INPUT, 12, lbu)), 9);
}

#[test]
fn public_output_is_returned() {
    let mut code = set(T0, PUBLIC_OUTPUT);
    code.push(addi(T1, 0, 5));
    code.push(sw(T1, T0, 0));
    code.extend(set(T1, 0x6463_6261));
    code.push(sw(T1, T0, 4));
    code.push(addi(T1, 0, b'e' as i32));
    code.push(sb(T1, T0, 8));
    code.push(sb(T1, T0, 9)); // past the length: not output
    code.extend(exit_seq());
    let exec = run_code(&code).unwrap();
    assert_eq!(exec.public_output, b"abcde");
}

#[test]
fn oversized_input_is_rejected() {
    let input = Input {
        public: vec![],
        private: vec![0; MAX_IO_LEN + 1],
    };
    let err = run_code_with(&exit_seq(), &input).unwrap_err();
    assert!(matches!(
        err,
        Error::InputTooLarge {
            which: "private",
            ..
        }
    ));
}

#[test]
fn trap_words_load_and_fault_when_executed() {
    for word in crease_nvm::TRAP_WORDS {
        let code = vec![addi(T0, 0, 1), beq(0, 0, 8), word, ebreak()];
        // Skipped over: the program loads and reaches the ebreak.
        let fault = fault_of(run_code(&code));
        assert_eq!(fault.kind, FaultKind::Breakpoint);
        // Executed: an illegal-instruction fault naming the word.
        let code = vec![addi(T0, 0, 1), word];
        let fault = fault_of(run_code(&code));
        assert_eq!(fault.kind, FaultKind::IllegalInstruction { word });
        assert_eq!((fault.pc, fault.cycle), (CODE + 4, 1));
        assert!(fault.to_string().contains(&format!("{word:08x}")));
    }
}

#[test]
fn write_running_into_unmapped_memory_keeps_the_bytes_before() {
    // The data segment ends at DATA + 0x1000; write 8 bytes starting 4 before its end.
    let mut code = set(T0, DATA + 0xffc);
    code.extend(set(T1, u32::from_le_bytes(*b"tail")));
    code.push(sw(T1, T0, 0));
    code.push(addi(A0, 0, 1));
    code.push(addi(A1, T0, 0));
    code.push(addi(A2, 0, 8));
    code.push(addi(A7, 0, 64));
    code.push(ecall());
    match run_code(&code) {
        Err(Error::Fault { fault, stdout, .. }) => {
            assert_eq!(
                fault.kind,
                FaultKind::Unmapped {
                    addr: DATA + 0x1000
                }
            );
            assert_eq!(stdout, b"tail");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn large_writes_stream_in_chunks() {
    // 200 KiB of zeros from RAM.
    let mut code = set(A1, RAM_START);
    code.extend(set(A2, 200 << 10));
    code.push(addi(A0, 0, 2));
    code.push(addi(A7, 0, 64));
    code.push(ecall());
    code.push(addi(A7, 0, 93));
    code.push(ecall());
    let exec = run_code(&code).unwrap();
    assert_eq!(exec.exit_code, 200 << 10);
    assert_eq!(exec.stderr, vec![0; 200 << 10]);
}

#[test]
fn permissions_are_exact_where_segments_share_a_page() {
    use crease_nvm::{Isa, Program, Segment};
    // Code at 0x1000, read-only data at 0x1400, writable data at 0x1800, a gap between.
    let probe = |addr: u32, store: bool| {
        let mut code = set(T0, addr);
        code.push(if store { sw(0, T0, 0) } else { lw(T2, T0, 0) });
        code.extend(then_exit_with(vec![], 0));
        let seg = |vaddr: u32, data: Vec<u8>, write: bool, exec: bool| Segment {
            vaddr,
            mem_size: 0x100,
            data,
            read: true,
            write,
            exec,
        };
        let mut code_bytes = bytes(&code);
        code_bytes.resize(0x100, 0);
        let segments = vec![
            seg(0x1000, code_bytes, false, true),
            seg(0x1400, vec![1; 8], false, false),
            seg(0x1800, vec![2; 8], true, false),
        ];
        let program = Program::from_parts(0x1000, segments, &Isa::rv32im()).unwrap();
        run(&program, &Input::default(), RunOptions::default()).map(|e| e.exit_code)
    };
    assert!(probe(0x1004, false).is_ok());
    assert!(probe(0x1400, false).is_ok());
    assert!(probe(0x18fc, false).is_ok());
    assert!(probe(0x1800, true).is_ok());
    let kind = |r: Result<i32, Error>| fault_of(r.map(|_| unreachable!())).kind;
    assert_eq!(
        kind(probe(0x1008, true)),
        FaultKind::StoreToReadOnly {
            addr: 0x1008,
            region: Region::Code
        }
    );
    assert_eq!(
        kind(probe(0x14fc, true)),
        FaultKind::StoreToReadOnly {
            addr: 0x14fc,
            region: Region::ReadOnlyData
        }
    );
    for addr in [0x1100, 0x13fc, 0x1500, 0x1900, 0x0ffc] {
        assert_eq!(kind(probe(addr, false)), FaultKind::Unmapped { addr });
        assert_eq!(kind(probe(addr, true)), FaultKind::Unmapped { addr });
    }
}
