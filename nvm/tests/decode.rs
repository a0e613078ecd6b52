//! Decoding: every encoder round-trips through the RV32IM set on random fields.

use crease_nvm::encode::*;
use crease_nvm::isa::rv32im::{alu_imm_op, alu_reg_op, system_op};
use crease_nvm::{Decoded, Isa};
use rand::{rngs::StdRng, Rng, SeedableRng};

fn decode(isa: &Isa, word: u32) -> (&str, Decoded) {
    let (index, d) = isa
        .decode(word)
        .unwrap_or_else(|| panic!("0x{word:08x} decodes"));
    (isa.get(index).unwrap().name(), d)
}

fn d(rd: u8, rs1: u8, rs2: u8, op: u8, imm: i32) -> Decoded {
    Decoded {
        rd,
        rs1,
        rs2,
        op,
        imm,
    }
}

#[test]
fn random_fields_round_trip() {
    let isa = Isa::rv32im();
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..20_000 {
        let (rd, rs1, rs2) = (
            rng.gen_range(0..32),
            rng.gen_range(0..32),
            rng.gen_range(0..32),
        );
        let imm12 = rng.gen_range(-2048..2048);
        let upper = (rng.gen::<u32>() & 0xffff_f000) as i32;
        let b_off = rng.gen_range(-2048..2048) * 2;
        let j_off = rng.gen_range(-(1 << 19)..(1 << 19)) * 2;
        let shamt = rng.gen_range(0..32u32);

        assert_eq!(decode(&isa, lui(rd, upper)), ("lui", d(rd, 0, 0, 0, upper)));
        assert_eq!(
            decode(&isa, auipc(rd, upper)),
            ("auipc", d(rd, 0, 0, 0, upper))
        );
        assert_eq!(decode(&isa, jal(rd, j_off)), ("jal", d(rd, 0, 0, 0, j_off)));
        assert_eq!(
            decode(&isa, jalr(rd, rs1, imm12)),
            ("jalr", d(rd, rs1, 0, 0, imm12))
        );
        for (f3, enc) in [
            (0u8, beq as fn(u8, u8, i32) -> u32),
            (1, bne),
            (4, blt),
            (5, bge),
            (6, bltu),
            (7, bgeu),
        ] {
            assert_eq!(
                decode(&isa, enc(rs1, rs2, b_off)),
                ("branch", d(0, rs1, rs2, f3, b_off))
            );
        }
        for (f3, enc) in [
            (0u8, lb as fn(u8, u8, i32) -> u32),
            (1, lh),
            (2, lw),
            (4, lbu),
            (5, lhu),
        ] {
            assert_eq!(
                decode(&isa, enc(rd, rs1, imm12)),
                ("load", d(rd, rs1, 0, f3, imm12))
            );
        }
        for (f3, enc) in [(0u8, sb as fn(u8, u8, i32) -> u32), (1, sh), (2, sw)] {
            assert_eq!(
                decode(&isa, enc(rs2, rs1, imm12)),
                ("store", d(0, rs1, rs2, f3, imm12))
            );
        }
        for (op, enc) in [
            (alu_imm_op::ADDI, addi as fn(u8, u8, i32) -> u32),
            (alu_imm_op::SLTI, slti),
            (alu_imm_op::SLTIU, sltiu),
            (alu_imm_op::XORI, xori),
            (alu_imm_op::ORI, ori),
            (alu_imm_op::ANDI, andi),
        ] {
            assert_eq!(
                decode(&isa, enc(rd, rs1, imm12)),
                ("alu_imm", d(rd, rs1, 0, op, imm12))
            );
        }
        for (op, enc) in [
            (alu_imm_op::SLLI, slli as fn(u8, u8, u32) -> u32),
            (alu_imm_op::SRLI, srli),
            (alu_imm_op::SRAI, srai),
        ] {
            let expected = d(rd, rs1, 0, op, shamt as i32);
            assert_eq!(decode(&isa, enc(rd, rs1, shamt)), ("alu_imm", expected));
        }
        type R = fn(u8, u8, u8) -> u32;
        for (name, op, enc) in [
            ("alu_reg", alu_reg_op::ADD, add as R),
            ("alu_reg", alu_reg_op::SUB, sub),
            ("alu_reg", alu_reg_op::SLL, sll),
            ("alu_reg", alu_reg_op::SLT, slt),
            ("alu_reg", alu_reg_op::SLTU, sltu),
            ("alu_reg", alu_reg_op::XOR, xor),
            ("alu_reg", alu_reg_op::SRL, srl),
            ("alu_reg", alu_reg_op::SRA, sra),
            ("alu_reg", alu_reg_op::OR, or),
            ("alu_reg", alu_reg_op::AND, and),
            ("mul", 0, mul),
            ("mul", 1, mulh),
            ("mul", 2, mulhsu),
            ("mul", 3, mulhu),
            ("div", 4, div),
            ("div", 5, divu),
            ("div", 6, rem),
            ("div", 7, remu),
        ] {
            assert_eq!(
                decode(&isa, enc(rd, rs1, rs2)),
                (name, d(rd, rs1, rs2, op, 0))
            );
        }
    }
    assert_eq!(decode(&isa, ecall()).1.op, system_op::ECALL);
    assert_eq!(decode(&isa, ebreak()).1.op, system_op::EBREAK);
    assert_eq!(decode(&isa, fence()).1.op, system_op::FENCE);
}

#[test]
fn random_words_decode_to_at_most_one_instruction() {
    // Any word the set decodes is claimed by exactly one instruction's patterns, and
    // encoding its decoded fields gives a word the same instruction decodes the same way.
    let isa = Isa::rv32im();
    let mut rng = StdRng::seed_from_u64(11);
    let mut decoded = 0;
    for _ in 0..200_000 {
        let word = rng.gen::<u32>() | 3;
        let claimants = isa
            .iter()
            .filter(|i| i.patterns().iter().any(|p| p.matches(word)))
            .count();
        assert!(claimants <= 1, "0x{word:08x} claimed {claimants} times");
        if isa.decode(word).is_some() {
            decoded += 1;
        }
    }
    // About 12 of 32 major opcodes are RV32IM.
    assert!(decoded > 20_000, "{decoded}");
}

#[test]
fn invalid_encodings_inside_claimed_opcodes_do_not_decode() {
    let isa = Isa::rv32im();
    for word in [
        jalr(1, 2, 0) | 1 << 12,             // jalr funct3 != 0
        beq(1, 2, 8) | 2 << 12,              // branch funct3 2
        beq(1, 2, 8) | 3 << 12,              // branch funct3 3
        lw(1, 2, 0) | 3 << 12,               // load funct3 3 (ld)
        lw(1, 2, 0) | 6 << 12,               // load funct3 6 (lwu)
        sw(1, 2, 0) | 3 << 12,               // store funct3 3 (sd)
        slli(1, 2, 1) | 0x20 << 25,          // slli with funct7 0x20
        srli(1, 2, 1) | 0x10 << 25,          // srli with a bad funct7
        add(1, 2, 3) | 0x20 << 25 | 1 << 12, // sll with funct7 0x20
        0x0000_100f,                         // fence.i
        0x0010_0073 | 1 << 7,                // ebreak with rd != 0
        0x0020_0073,                         // uret-like
    ] {
        assert!(isa.decode(word).is_none(), "0x{word:08x}");
    }
}
