//! The example co-processor registered in an instruction set, run, and refused where absent.

use crease_coprocessor_example::{isa, Sha256Sigma, Sigma, FUNCT7, OPCODE};
use crease_nvm::encode::*;
use crease_nvm::{run, Error, Input, Isa, Program, RunOptions, Segment};

const CODE: u32 = 0x1000;
const A0: u8 = 10;
const A7: u8 = 17;
const T0: u8 = 5;
const T1: u8 = 6;

fn program(code: &[u32], isa: &Isa) -> Result<Program, Error> {
    let segment = Segment {
        vaddr: CODE,
        mem_size: 4 * code.len() as u32,
        data: code.iter().flat_map(|w| w.to_le_bytes()).collect(),
        read: true,
        write: false,
        exec: true,
    };
    Program::from_parts(CODE, vec![segment], isa)
}

/// `a0 = sigma(x)`, then exit(a0).
fn sigma_code(sigma: Sigma, x: u32) -> Vec<u32> {
    let mut code = li(T0, x).to_vec();
    code.push(sigma.encode(A0, T0));
    code.push(addi(A7, 0, 93));
    code.push(ecall());
    code
}

/// The reference functions, written from FIPS 180-4 §4.1.2 with explicit shifts (not
/// `rotate_right`, which the implementation uses).
#[allow(clippy::manual_rotate)]
fn reference(sigma: Sigma, x: u32) -> u32 {
    let rotr = |n: u32| (x >> n) | (x << (32 - n));
    match sigma {
        Sigma::Big0 => rotr(2) ^ rotr(13) ^ rotr(22),
        Sigma::Big1 => rotr(6) ^ rotr(11) ^ rotr(25),
        Sigma::Small0 => rotr(7) ^ rotr(18) ^ (x >> 3),
        Sigma::Small1 => rotr(17) ^ rotr(19) ^ (x >> 10),
    }
}

#[test]
fn registered_co_processor_runs() {
    let isa = isa();
    assert_eq!(isa.len(), Isa::rv32im().len() + 1);
    let index = isa.index_of("sha256_sigma").unwrap();
    for sigma in Sigma::ALL {
        for x in [
            0,
            1,
            0x8000_0000,
            0xffff_ffff,
            0x6a09_e667,
            0x510e_527f,
            0x1234_5678,
        ] {
            let p = program(&sigma_code(sigma, x), &isa).unwrap();
            let exec = run(&p, &Input::default(), RunOptions::default()).unwrap();
            assert_eq!(
                exec.exit_code as u32,
                reference(sigma, x),
                "{sigma:?}({x:#x})"
            );
            assert_eq!(exec.counts[index].count, 1);
            assert_eq!(exec.counts[index].name, "sha256_sigma");
        }
    }
}

#[test]
fn co_processor_ignores_rs2_and_traces_its_accesses() {
    let isa = isa();
    let mut code = li(T0, 0xdead_beef).to_vec();
    code.extend(li(T1, 0x1111_1111));
    code.push(r(OPCODE, 2, FUNCT7, A0, T0, T1));
    code.push(addi(A7, 0, 93));
    code.push(ecall());
    let p = program(&code, &isa).unwrap();
    let options = RunOptions {
        trace: true,
        ..RunOptions::default()
    };
    let exec = run(&p, &Input::default(), options).unwrap();
    assert_eq!(exec.exit_code as u32, reference(Sigma::Small0, 0xdead_beef));
    let trace = exec.trace.unwrap();
    let step = &trace.steps[4];
    assert_eq!(step.inst as usize, isa.index_of("sha256_sigma").unwrap());
    let regs: Vec<(u32, u32, u32)> = trace.accesses_of(step)[1..]
        .iter()
        .map(|a| (a.addr, a.read, a.write))
        .collect();
    let result = reference(Sigma::Small0, 0xdead_beef);
    assert_eq!(
        regs,
        vec![
            (T0 as u32, 0xdead_beef, 0xdead_beef),
            (A0 as u32, 0, result)
        ]
    );
}

#[test]
fn without_the_co_processor_the_program_does_not_load() {
    let code = sigma_code(Sigma::Big1, 7);
    let err = program(&code, &Isa::rv32im()).unwrap_err();
    match err {
        Error::UnknownInstruction {
            word,
            opcode,
            address,
        } => {
            assert_eq!(word, Sigma::Big1.encode(A0, T0));
            assert_eq!(opcode, 0b000_1011);
            assert_eq!(address, CODE + 8);
        }
        other => panic!("{other}"),
    }
}

#[test]
fn unassigned_funct3_and_funct7_do_not_load() {
    for word in [
        r(OPCODE, 4, FUNCT7, A0, T0, 0),
        r(OPCODE, 0, 2, A0, T0, 0),
        r(0b010_1011, 0, FUNCT7, A0, T0, 0),
    ] {
        let mut code = sigma_code(Sigma::Big0, 3);
        code[2] = word;
        let err = program(&code, &isa()).unwrap_err();
        assert!(
            matches!(err, Error::UnknownInstruction { word: w, address, .. } if w == word && address == CODE + 8),
            "{err}"
        );
    }
}

#[test]
fn conflicting_registrations_are_refused() {
    let err = isa().with(Sha256Sigma).unwrap_err();
    assert!(matches!(err, Error::DuplicateName { .. }), "{err}");

    /// Another custom-0 instruction claiming all of funct7 = 1.
    struct Greedy;
    impl crease_nvm::Instruction for Greedy {
        fn name(&self) -> &str {
            "greedy"
        }
        fn patterns(&self) -> &[crease_nvm::Pattern] {
            const P: [crease_nvm::Pattern; 1] =
                [crease_nvm::Pattern::opcode_funct7(OPCODE, FUNCT7)];
            &P
        }
        fn decode(&self, word: u32) -> Option<crease_nvm::Decoded> {
            Some(crease_nvm::decode::r_fields(word))
        }
        fn execute(
            &self,
            _: &crease_nvm::Decoded,
            _: &mut crease_nvm::Machine<'_>,
        ) -> Result<(), crease_nvm::Fault> {
            Ok(())
        }
    }
    match isa().with(Greedy).unwrap_err() {
        Error::IsaConflict {
            first,
            second,
            word,
        } => {
            assert_eq!(
                (first.as_str(), second.as_str()),
                ("sha256_sigma", "greedy")
            );
            assert_eq!(word & 0xfe00_707f, OPCODE | FUNCT7 << 25);
        }
        other => panic!("{other}"),
    }
    // A co-processor cannot take over a standard opcode either.
    struct Shadow;
    impl crease_nvm::Instruction for Shadow {
        fn name(&self) -> &str {
            "shadow"
        }
        fn patterns(&self) -> &[crease_nvm::Pattern] {
            const P: [crease_nvm::Pattern; 1] = [crease_nvm::Pattern::r_type(0b011_0011, 0, 1)];
            &P
        }
        fn decode(&self, _: u32) -> Option<crease_nvm::Decoded> {
            None
        }
        fn execute(
            &self,
            _: &crease_nvm::Decoded,
            _: &mut crease_nvm::Machine<'_>,
        ) -> Result<(), crease_nvm::Fault> {
            Ok(())
        }
    }
    assert!(matches!(
        Isa::rv32im().with(Shadow),
        Err(Error::IsaConflict { .. })
    ));
    assert_ne!(isa().digest(), Isa::rv32im().digest());
}
