//! Every RV32IM instruction's semantics on its edge cases.

mod common;

use common::*;
use crease_nvm::encode::*;
use crease_nvm::FaultKind;

const MIN: u32 = 0x8000_0000;
const NEG1: u32 = u32::MAX;

#[test]
fn lui_and_auipc() {
    assert_eq!(reg_after(vec![lui(T2, 0x12345000)], T2), 0x1234_5000);
    assert_eq!(
        reg_after(vec![lui(T2, 0xfffff000u32 as i32)], T2),
        0xffff_f000
    );
    // auipc at CODE + 4.
    let code = vec![addi(0, 0, 0), auipc(T2, 0x0000_2000)];
    assert_eq!(reg_after(code, T2), CODE + 4 + 0x2000);
    let code = vec![auipc(T2, 0xfffff000u32 as i32)];
    assert_eq!(reg_after(code, T2), CODE.wrapping_sub(0x1000));
}

#[test]
fn x0_stays_zero() {
    let code = vec![addi(0, 0, 5), lui(0, 0x1000), add(0, 0, 0), addi(T2, 0, 0)];
    assert_eq!(reg_after(code, 0), 0);
    let mut code = set(T0, DATA);
    code.push(lw(0, T0, 0));
    code.push(jal(0, 4));
    assert_eq!(reg_after(code, 0), 0);
}

#[test]
fn jal_links_and_jumps() {
    // 0: jal t2, +8 ; 4: addi t1, x0, 1 (skipped) ; 8: ...
    let code = vec![jal(T2, 8), addi(T2, 0, 1)];
    assert_eq!(reg_after(code, T2), CODE + 4);
    // Backward jump: 0: jal x0,+8; 4: jal x0,+8; 8: jal t2,-4 -> lands at 4 -> jumps to 12.
    let code = vec![jal(0, 8), jal(0, 8), jal(T2, -4)];
    assert_eq!(reg_after(code, T2), CODE + 12);
}

#[test]
fn jal_to_misaligned_target_faults() {
    let code = then_exit_with(vec![addi(0, 0, 0), jal(T2, 6)], T2);
    let fault = fault_of(run_code(&code));
    assert_eq!(
        fault.kind,
        FaultKind::MisalignedFetch {
            target: CODE + 4 + 6
        }
    );
    assert_eq!((fault.pc, fault.cycle), (CODE + 4, 1));
}

#[test]
fn jalr_clears_bit_zero_and_reads_rs1_before_linking() {
    // t0 = CODE + 13; jalr t2, -1(t0) -> (CODE+12) & !1 = CODE+12.
    let mut code = set(T0, CODE + 17); // words 0,1
    code.push(jalr(T2, T0, -1)); // word 2 at +8; target CODE+16
    code.push(addi(T2, 0, 1)); // word 3 at +12: skipped
    assert_eq!(reg_after(code, T2), CODE + 12);
    // Odd target with bit 1 clear after clearing bit 0: CODE+16+1 -> CODE+16.
    let mut code = set(T0, CODE + 16);
    code.push(jalr(T0, T0, 1)); // rd == rs1
    code.push(addi(T0, 0, 1));
    assert_eq!(reg_after(code, T0), CODE + 12);
}

#[test]
fn jalr_to_misaligned_target_faults() {
    let mut code = set(T0, CODE + 2);
    code.push(jalr(T2, T0, 0));
    let fault = fault_of(run_code(&then_exit_with(code, T2)));
    assert_eq!(fault.kind, FaultKind::MisalignedFetch { target: CODE + 2 });
    assert_eq!((fault.pc, fault.cycle), (CODE + 8, 2));
}

/// Runs `branch(t0, t1, +8)` with t0 = a, t1 = b; returns whether it was taken.
fn taken(branch: fn(u8, u8, i32) -> u32, a: u32, b: u32) -> bool {
    let mut code = set(T0, a);
    code.extend(set(T1, b));
    code.push(addi(T2, 0, 1));
    code.push(branch(T0, T1, 8));
    code.push(addi(T2, 0, 0)); // skipped when taken
    reg_after(code, T2) == 1
}

#[test]
fn branches_compare_signed_and_unsigned() {
    assert!(taken(beq, 5, 5));
    assert!(!taken(beq, 5, 6));
    assert!(taken(bne, 5, 6));
    assert!(!taken(bne, NEG1, NEG1));
    assert!(taken(blt, NEG1, 0));
    assert!(!taken(blt, 0, NEG1));
    assert!(!taken(blt, 3, 3));
    assert!(taken(bge, 3, 3));
    assert!(taken(bge, 0, MIN));
    assert!(!taken(bge, MIN, 0));
    assert!(taken(bltu, 0, NEG1));
    assert!(!taken(bltu, NEG1, 0));
    assert!(taken(bgeu, NEG1, 0));
    assert!(taken(bgeu, 7, 7));
    assert!(!taken(bgeu, MIN - 1, MIN));
}

#[test]
fn branch_backwards_loops() {
    // t2 = 0; t0 = 10; loop: t2 += 3; t0 -= 1; bne t0, x0, loop
    let code = vec![
        addi(T2, 0, 0),
        addi(T0, 0, 10),
        addi(T2, T2, 3),
        addi(T0, T0, -1),
        bne(T0, 0, -8),
    ];
    assert_eq!(reg_after(code, T2), 30);
}

#[test]
fn misaligned_branch_faults_only_when_taken() {
    let code = vec![addi(T2, 0, 9), bne(0, 0, 6)];
    assert_eq!(reg_after(code, T2), 9);
    let code = then_exit_with(vec![beq(0, 0, 6)], T2);
    let fault = fault_of(run_code(&code));
    assert_eq!(fault.kind, FaultKind::MisalignedFetch { target: CODE + 6 });
    assert_eq!((fault.pc, fault.cycle), (CODE, 0));
}

/// Stores `value` as a word at DATA, then runs `load` at DATA + offset.
fn load_from(value: u32, load: fn(u8, u8, i32) -> u32, offset: i32) -> u32 {
    let mut code = set(T0, DATA + 64);
    code.extend(set(T1, value));
    code.push(sw(T1, T0, 0));
    code.push(load(T2, T0, offset));
    reg_after(code, T2)
}

#[test]
fn loads_sign_and_zero_extend() {
    let v = 0x8081_7f80;
    assert_eq!(load_from(v, lb, 0), 0xffff_ff80);
    assert_eq!(load_from(v, lb, 1), 0x7f);
    assert_eq!(load_from(v, lb, 3), 0xffff_ff80);
    assert_eq!(load_from(v, lbu, 0), 0x80);
    assert_eq!(load_from(v, lbu, 2), 0x81);
    assert_eq!(load_from(v, lh, 0), 0x7f80);
    assert_eq!(load_from(v, lh, 2), 0xffff_8081);
    assert_eq!(load_from(v, lhu, 2), 0x8081);
    assert_eq!(load_from(v, lw, 0), v);
}

#[test]
fn loads_use_negative_offsets_and_read_segment_data() {
    // DATA's first 16 bytes are 0xaa; read them through a negative offset.
    let mut code = set(T0, DATA + 0x800);
    code.push(lw(T2, T0, -0x800));
    assert_eq!(reg_after(code, T2), 0xaaaa_aaaa);
    let mut code = set(T0, RODATA);
    code.push(lw(T2, T0, 0));
    assert_eq!(reg_after(code, T2), RODATA_WORD);
    // bss part of the data segment reads zero
    let mut code = set(T0, DATA + 0x100);
    code.push(lw(T2, T0, 0));
    assert_eq!(reg_after(code, T2), 0);
}

#[test]
fn misaligned_loads_fault() {
    type Enc = fn(u8, u8, i32) -> u32;
    for (load, offset, size) in [(lh as Enc, 1, 2), (lhu, 3, 2), (lw, 2, 4), (lw, 1, 4)] {
        let mut code = set(T0, DATA);
        code.push(load(T2, T0, offset));
        let fault = fault_of(run_code(&then_exit_with(code, T2)));
        assert_eq!(
            fault.kind,
            FaultKind::MisalignedAccess {
                addr: DATA + offset as u32,
                size
            }
        );
        assert_eq!((fault.pc, fault.cycle), (CODE + 8, 2));
    }
}

#[test]
fn stores_write_only_their_bytes() {
    let mut code = set(T0, DATA + 32);
    code.extend(set(T1, 0x1122_3344));
    code.push(sw(T1, T0, 0));
    code.extend(set(T1, 0xaabb_ccdd));
    code.push(sb(T1, T0, 1));
    code.push(sh(T1, T0, 2));
    code.push(lw(T2, T0, 0));
    assert_eq!(reg_after(code, T2), 0xccdd_dd44);
    let mut code = set(T0, DATA + 32);
    code.extend(set(T1, 0xaabb_ccdd));
    code.push(sb(T1, T0, 3));
    code.push(lw(T2, T0, 0));
    assert_eq!(reg_after(code, T2), 0xdd00_0000);
    // Negative store offset.
    let mut code = set(T0, DATA + 0x800);
    code.extend(set(T1, 0x5555_6666));
    code.push(sw(T1, T0, -0x7fc));
    code.push(lw(T2, T0, -0x7fc));
    assert_eq!(reg_after(code, T2), 0x5555_6666);
}

#[test]
fn misaligned_stores_fault() {
    type Enc = fn(u8, u8, i32) -> u32;
    for (store, offset, size) in [(sh as Enc, 1, 2), (sw, 2, 4), (sw, 3, 4)] {
        let mut code = set(T0, DATA);
        code.push(store(T1, T0, offset));
        let fault = fault_of(run_code(&then_exit_with(code, T2)));
        assert_eq!(
            fault.kind,
            FaultKind::MisalignedAccess {
                addr: DATA + offset as u32,
                size
            }
        );
    }
}

#[test]
fn alu_immediate() {
    assert_eq!(ri(addi, 5, -6), NEG1);
    assert_eq!(ri(addi, NEG1, 1), 0);
    assert_eq!(ri(addi, 0, 2047), 2047);
    assert_eq!(ri(addi, 0, -2048), (-2048i32) as u32);
    assert_eq!(ri(slti, NEG1, 0), 1);
    assert_eq!(ri(slti, 0, -1), 0);
    assert_eq!(ri(slti, MIN, -2048), 1);
    // sltiu compares with the sign-extended immediate as unsigned
    assert_eq!(ri(sltiu, 5, -1), 1);
    assert_eq!(ri(sltiu, NEG1, -1), 0);
    assert_eq!(ri(sltiu, 0, 1), 1); // seqz
    assert_eq!(ri(sltiu, 1, 1), 0);
    assert_eq!(ri(xori, 0x0f0f_0f0f, -1), 0xf0f0_f0f0);
    assert_eq!(ri(xori, 0x0000_00ff, 0x0f0), 0x0f);
    assert_eq!(ri(ori, 0x1000_0000, -2048), 0xffff_f800);
    assert_eq!(ri(andi, 0xffff_ffff, 0x7ff), 0x7ff);
    assert_eq!(ri(andi, 0x1234_5678, -16), 0x1234_5670);
}

#[test]
fn shifts_by_immediate() {
    let shift = |inst: fn(u8, u8, u32) -> u32, a: u32, sh: u32| {
        let mut code = set(T0, a);
        code.push(inst(T2, T0, sh));
        reg_after(code, T2)
    };
    assert_eq!(shift(slli, 1, 31), MIN);
    assert_eq!(shift(slli, 0xffff_ffff, 0), NEG1);
    assert_eq!(shift(srli, MIN, 31), 1);
    assert_eq!(shift(srai, MIN, 31), NEG1);
    assert_eq!(shift(srai, 0x4000_0000, 30), 1);
    assert_eq!(shift(srai, 0xf000_0000, 4), 0xff00_0000);
    assert_eq!(shift(srli, 0xf000_0000, 4), 0x0f00_0000);
}

#[test]
fn alu_register() {
    assert_eq!(rr(add, NEG1, 2), 1);
    assert_eq!(rr(add, 0x7fff_ffff, 1), MIN);
    assert_eq!(rr(sub, 0, 1), NEG1);
    assert_eq!(rr(sub, MIN, 1), 0x7fff_ffff);
    assert_eq!(rr(slt, NEG1, 1), 1);
    assert_eq!(rr(slt, 1, NEG1), 0);
    assert_eq!(rr(slt, 4, 4), 0);
    assert_eq!(rr(sltu, 1, NEG1), 1);
    assert_eq!(rr(sltu, NEG1, 1), 0);
    assert_eq!(rr(sltu, 0, 0), 0);
    assert_eq!(rr(xor, 0xff00_ff00, 0x0ff0_0ff0), 0xf0f0_f0f0);
    assert_eq!(rr(or, 0xff00_0000, 0x0000_00ff), 0xff00_00ff);
    assert_eq!(rr(and, 0xff00_ff00, 0x0ff0_0ff0), 0x0f00_0f00);
}

#[test]
fn register_shifts_mask_amount_to_five_bits() {
    assert_eq!(rr(sll, 1, 31), MIN);
    assert_eq!(rr(sll, 1, 32), 1);
    assert_eq!(rr(sll, 1, 33), 2);
    assert_eq!(rr(sll, 3, 0xffff_ffe1), 6);
    assert_eq!(rr(srl, MIN, 31), 1);
    assert_eq!(rr(srl, MIN, 63), 1);
    assert_eq!(rr(srl, MIN, 32), MIN);
    assert_eq!(rr(sra, MIN, 31), NEG1);
    assert_eq!(rr(sra, MIN, 36), 0xf800_0000);
    assert_eq!(rr(sra, 0x7000_0000, 4), 0x0700_0000);
}

#[test]
fn multiplication() {
    assert_eq!(
        rr(mul, 0x1234_5678, 0x9abc_def0),
        0x1234_5678u32.wrapping_mul(0x9abc_def0)
    );
    assert_eq!(rr(mul, NEG1, NEG1), 1);
    assert_eq!(rr(mul, MIN, NEG1), MIN);
    assert_eq!(rr(mulh, NEG1, NEG1), 0);
    assert_eq!(rr(mulh, MIN, MIN), 0x4000_0000);
    assert_eq!(rr(mulh, MIN, 0x7fff_ffff), 0xc000_0000);
    assert_eq!(rr(mulh, NEG1, 1), NEG1);
    assert_eq!(rr(mulhsu, NEG1, NEG1), NEG1);
    assert_eq!(rr(mulhsu, MIN, NEG1), 0x8000_0000);
    assert_eq!(rr(mulhsu, 1, NEG1), 0);
    assert_eq!(rr(mulhsu, 2, MIN), 1);
    assert_eq!(rr(mulhu, NEG1, NEG1), 0xffff_fffe);
    assert_eq!(rr(mulhu, MIN, 2), 1);
    assert_eq!(rr(mulhu, 0x1234_5678, 0), 0);
}

#[test]
fn division_edge_cases() {
    // By zero.
    assert_eq!(rr(div, 7, 0), NEG1);
    assert_eq!(rr(div, MIN, 0), NEG1);
    assert_eq!(rr(divu, 7, 0), NEG1);
    assert_eq!(rr(rem, 7, 0), 7);
    assert_eq!(rr(rem, MIN, 0), MIN);
    assert_eq!(rr(remu, 7, 0), 7);
    // Signed overflow.
    assert_eq!(rr(div, MIN, NEG1), MIN);
    assert_eq!(rr(rem, MIN, NEG1), 0);
    assert_eq!(rr(divu, MIN, NEG1), 0);
    assert_eq!(rr(remu, MIN, NEG1), MIN);
    // Truncation toward zero; remainder takes the dividend's sign.
    assert_eq!(rr(div, (-7i32) as u32, 2), (-3i32) as u32);
    assert_eq!(rr(rem, (-7i32) as u32, 2), NEG1);
    assert_eq!(rr(div, 7, (-2i32) as u32), (-3i32) as u32);
    assert_eq!(rr(rem, 7, (-2i32) as u32), 1);
    assert_eq!(rr(divu, NEG1, 2), 0x7fff_ffff);
    assert_eq!(rr(remu, NEG1, 10), 5);
    assert_eq!(rr(div, 100, 7), 14);
    assert_eq!(rr(rem, 100, 7), 2);
}

#[test]
fn fence_is_a_no_op() {
    let code = vec![addi(T2, 0, 3), fence(), 0x0000_000f, addi(T2, T2, 1)];
    assert_eq!(reg_after(code, T2), 4);
}

#[test]
fn counts_follow_instruction_circuits() {
    let code = then_exit_with(vec![addi(T2, 0, 3), mul(T2, T2, T2), fence()], T2);
    let exec = run_code(&code).unwrap();
    assert_eq!(exec.exit_code, 9);
    assert_eq!(exec.cycles, 6);
    let count = |name: &str| exec.counts.iter().find(|c| c.name == name).unwrap().count;
    assert_eq!(count("alu_imm"), 3);
    assert_eq!(count("mul"), 1);
    assert_eq!(count("system"), 2);
    assert_eq!(count("div"), 0);
    assert_eq!(
        exec.counts.iter().map(|c| c.count).sum::<u64>(),
        exec.cycles
    );
}
