//! Every instruction circuit against the NVM: thousands of random executions and the edge
//! cases, each satisfied with the native tuples; tampered records are all rejected.

mod common;

use std::sync::Arc;

use common::*;
use crease_circuits::isa;
use crease_circuits::{ExecRecord, Fr, InstructionCircuit};
use crease_nvm::encode::*;
use crease_nvm::{Input, Isa};
use rand::Rng;

const NOP: u32 = 0x0000_0013;

fn pc_of(code: &[u32]) -> u32 {
    CODE + 4 * code.len() as u32
}

/// `n` random executions of the instruction circuit `name` (with set-up instructions of
/// other circuits around them), then `exit`.
fn program_for(name: &str, n: usize, seed: u64) -> Vec<u32> {
    let mut r = rng(seed);
    let mut code = Vec::new();
    for _ in 0..n {
        let rd = reg(&mut r, true);
        let (rs1, rs2) = (reg(&mut r, true), reg(&mut r, true));
        match name {
            "lui" => code.push(lui(rd, r.gen::<i32>() & !0xfff)),
            "auipc" => code.push(auipc(rd, r.gen::<i32>() & !0xfff)),
            "jal" => {
                let k = r.gen_range(1..4);
                code.push(jal(rd, 4 * k));
                code.extend(std::iter::repeat_n(NOP, k as usize - 1));
            }
            "jalr" => {
                let rs1 = reg(&mut r, false);
                let imm = r.gen_range(-2048..2048);
                let skip = r.gen_range(0..3u32);
                let target = pc_of(&code) + 12 + 4 * skip;
                li_into(
                    &mut code,
                    rs1,
                    target.wrapping_sub(imm as u32) | r.gen_range(0..2),
                );
                code.push(jalr(rd, rs1, imm));
                code.extend(std::iter::repeat_n(NOP, skip as usize));
            }
            "branch" => {
                let a = operand(&mut r);
                let b = if r.gen_range(0..4) == 0 {
                    a
                } else {
                    operand(&mut r)
                };
                li_into(&mut code, rs1, a);
                li_into(&mut code, rs2, b);
                let ops = [beq, bne, blt, bge, bltu, bgeu];
                let k = r.gen_range(1..4);
                code.push(ops[r.gen_range(0..6)](rs1, rs2, 4 * k));
                code.extend(std::iter::repeat_n(NOP, k as usize - 1));
            }
            "load" => {
                let rs1 = reg(&mut r, false);
                let op = r.gen_range(0..5);
                let align = [1, 2, 4, 1, 2][op];
                let region = if r.gen() { DATA } else { RODATA };
                let addr = region + r.gen_range(0..DATA_SIZE / align) * align;
                let imm = r.gen_range(-2048..2048);
                li_into(&mut code, rs1, addr.wrapping_sub(imm as u32));
                code.push([lb, lh, lw, lbu, lhu][op](rd, rs1, imm));
            }
            "store" => {
                let rs1 = reg(&mut r, false);
                let rs2 = loop {
                    let x = reg(&mut r, true);
                    if x != rs1 {
                        break x;
                    }
                };
                let op = r.gen_range(0..3);
                let align = [1, 2, 4][op];
                let addr = DATA + r.gen_range(0..DATA_SIZE / align) * align;
                let imm = r.gen_range(-2044..2048);
                li_into(&mut code, rs2, operand(&mut r));
                li_into(&mut code, rs1, addr.wrapping_sub(imm as u32));
                code.push([sb, sh, sw][op](rs2, rs1, imm));
                // Read it back so that loads see stored words too.
                code.push(lw(rd, rs1, imm - (addr & 3) as i32));
            }
            "alu_imm" => {
                li_into(&mut code, rs1, operand(&mut r));
                let imm = r.gen_range(-2048..2048);
                let sh = r.gen_range(0..32);
                code.push(match r.gen_range(0..9) {
                    0 => addi(rd, rs1, imm),
                    1 => slti(rd, rs1, imm),
                    2 => sltiu(rd, rs1, imm),
                    3 => xori(rd, rs1, imm),
                    4 => ori(rd, rs1, imm),
                    5 => andi(rd, rs1, imm),
                    6 => slli(rd, rs1, sh),
                    7 => srli(rd, rs1, sh),
                    _ => srai(rd, rs1, sh),
                });
            }
            "alu_reg" | "mul" | "div" => {
                li_into(&mut code, rs1, operand(&mut r));
                li_into(&mut code, rs2, operand(&mut r));
                let ops: &[fn(u8, u8, u8) -> u32] = match name {
                    "alu_reg" => &[add, sub, sll, slt, sltu, xor, srl, sra, or, and],
                    "mul" => &[mul, mulh, mulhsu, mulhu],
                    _ => &[div, divu, rem, remu],
                };
                code.push(ops[r.gen_range(0..ops.len())](rd, rs1, rs2));
            }
            "system" => {
                if r.gen() {
                    code.push(fence());
                } else {
                    let fd = [0u32, 1, 2, 3, u32::MAX][r.gen_range(0..5)];
                    li_into(&mut code, 17, 64);
                    li_into(&mut code, 10, fd);
                    li_into(&mut code, 11, DATA + r.gen_range(0..64));
                    li_into(&mut code, 12, r.gen_range(0..8));
                    code.push(ecall());
                }
            }
            "sha256_sigma" => {
                use crease_coprocessor_example::Sigma;
                li_into(&mut code, rs1, operand(&mut r));
                code.push(Sigma::ALL[r.gen_range(0..4)].encode(rd, rs1));
            }
            other => panic!("no generator for {other}"),
        }
    }
    exit(&mut code, r.gen());
    code
}

fn rv32im_env(code: &[u32]) -> Env {
    Env::run(code, &Isa::rv32im(), isa::rv32im(), &Input::default())
}

/// Checks every execution of the run; returns how many were of circuit `name`.
fn check_all(env: &Env, name: &str, seed: u64) -> usize {
    let ch = Challenges::random(&mut rng(seed ^ 0x5eed));
    let mut n = 0;
    for (i, rec) in env.records() {
        if let Err(e) = check(env, i, &rec, &rec, ch) {
            panic!(
                "{}: honest record rejected: {e:?}\n{rec:?}",
                env.circuits[i].name()
            );
        }
        n += (env.circuits[i].name() == name) as usize;
    }
    n
}

/// Tampers with executions of `name` in several ways; each must be rejected.
fn tamper_all(env: &Env, name: &str, seed: u64, max: usize) {
    let ch = Challenges::random(&mut rng(seed ^ 0x7a3));
    let mut r = rng(seed);
    let mut done = 0;
    for (i, rec) in env.records() {
        let c = &env.circuits[i];
        if c.name() != name || done >= max {
            continue;
        }
        done += 1;
        let kinds = c.accesses();
        let mut tampered: Vec<(&str, ExecRecord)> = Vec::new();
        for (j, kind) in kinds.iter().enumerate().take(rec.accesses.len()) {
            let bit = 1u32 << r.gen_range(0..32);
            if kind.writes() {
                let mut t = rec.clone();
                t.accesses[j].write ^= bit;
                tampered.push(("wrong result", t));
            }
            let mut t = rec.clone();
            t.accesses[j].read ^= bit;
            if !kind.writes() {
                t.accesses[j].write ^= bit;
            }
            tampered.push(("wrong read value", t));
            let mut t = rec.clone();
            let p = t.accesses[j].prev_ts;
            t.accesses[j].prev_ts = if p == 0 {
                1 + r.gen_range(0..8)
            } else {
                p.saturating_sub(1 + r.gen_range(0..8))
            };
            tampered.push(("wrong previous timestamp", t));
            let mut t = rec.clone();
            t.accesses[j].prev_ts = 16 * (t.t + 1) + 1 + j as u64 + r.gen_range(0..4);
            tampered.push(("previous timestamp not before", t));
        }
        let mut t = rec.clone();
        t.pc = t.pc.wrapping_add(4);
        tampered.push(("wrong pc", t));
        let mut t = rec.clone();
        t.t += 1;
        tampered.push(("wrong step", t));
        for (what, t) in &tampered {
            assert!(
                check(env, i, t, &rec, ch).is_err(),
                "{name}: {what} accepted\n{t:?}"
            );
        }
        // ts_old ≥ ts written straight into W1: the gap limb is −1.
        if !rec.accesses.is_empty() {
            let mut w1 = w1_values(c, i, 1, std::slice::from_ref(&rec)).expect("witness");
            let f = c.fields();
            let fields = 2 * f.imm as usize
                + f.op as usize
                + 2 * f.rd as usize
                + f.rs1 as usize
                + f.rs2 as usize;
            w1[5 + fields] = -Fr::from(1u64);
            let got = check_w1(env, c, i, 1, &w1, ch);
            assert!(
                !matches!(got, Ok(m) if m == expected_mem(&**c, &rec, ch.gamma)),
                "{name}: ts_old = ts accepted"
            );
        }
    }
    assert!(done > 0, "{name}: nothing to tamper with");
}

/// Tampers with one logic witness value (the jump target) of control-flow circuits.
fn tamper_target(env: &Env, name: &str, logic_index: usize, seed: u64) {
    let ch = Challenges::random(&mut rng(seed));
    let mut n = 0;
    for (i, rec) in env.records() {
        let c = &env.circuits[i];
        if c.name() != name || rec.next_pc == rec.pc.wrapping_add(4) {
            continue;
        }
        let mut w1 = w1_values(c, i, 1, std::slice::from_ref(&rec)).expect("witness");
        let at = w1.len() - c.witness_layout().len() + logic_index;
        w1[at] += Fr::from(1u64);
        let got = check_w1(env, c, i, 1, &w1, ch);
        assert!(
            !matches!(got, Ok(m) if m == expected_mem(&**c, &rec, ch.gamma)),
            "{name}: altered jump target accepted"
        );
        n += 1;
    }
    assert!(n > 0);
}

fn differential(name: &str, n: usize, seed: u64) {
    let env = rv32im_env(&program_for(name, n, seed));
    let got = check_all(&env, name, seed);
    assert!(got >= n, "{name}: only {got} executions");
    tamper_all(&env, name, seed, 150);
}

#[test]
fn lui_matches_the_nvm() {
    differential("lui", 2000, 1);
}
#[test]
fn auipc_matches_the_nvm() {
    differential("auipc", 2000, 2);
}
#[test]
fn jal_matches_the_nvm() {
    differential("jal", 2000, 3);
    tamper_target(&rv32im_env(&program_for("jal", 200, 3)), "jal", 1, 3);
}
#[test]
fn jalr_matches_the_nvm() {
    differential("jalr", 2000, 4);
    tamper_target(&rv32im_env(&program_for("jalr", 200, 4)), "jalr", 2, 4);
}
#[test]
fn branch_matches_the_nvm() {
    differential("branch", 3000, 5);
    tamper_target(&rv32im_env(&program_for("branch", 200, 5)), "branch", 12, 5);
}
#[test]
fn load_matches_the_nvm() {
    differential("load", 3000, 6);
}
#[test]
fn store_matches_the_nvm() {
    differential("store", 3000, 7);
}
#[test]
fn alu_imm_matches_the_nvm() {
    differential("alu_imm", 3000, 8);
}
#[test]
fn alu_reg_matches_the_nvm() {
    differential("alu_reg", 3000, 9);
}
#[test]
fn mul_matches_the_nvm() {
    differential("mul", 3000, 10);
}
#[test]
fn div_matches_the_nvm() {
    differential("div", 3000, 11);
}
#[test]
fn system_matches_the_nvm() {
    differential("system", 1000, 12);
}

#[test]
fn sha256_sigma_coprocessor() {
    let isa = crease_coprocessor_example::isa();
    let mut circuits = isa::rv32im();
    circuits.push(Arc::new(isa::sha256_sigma::Sha256Sigma));
    let circuits = isa::circuits_for(&isa, &circuits).expect("every instruction has a circuit");
    let env = Env::run(
        &program_for("sha256_sigma", 2000, 13),
        &isa,
        circuits,
        &Input::default(),
    );
    assert!(check_all(&env, "sha256_sigma", 13) >= 2000);
    tamper_all(&env, "sha256_sigma", 13, 150);
}
