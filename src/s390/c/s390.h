/*
 * s390x task state as Linux 2.6.30 declares it (arch/s390/include/asm/ptrace.h, processor.h,
 * mmu.h): the structs the checkpoint/restart seed reads, for bindgen
 * (scripts/bindgen-s390.sh -> src/s390/bindings.rs). Written for cr from the kernel's struct and
 * field names; what is left out, or differs, says why.
 */
#ifndef CR_S390_H
#define CR_S390_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long __u64;

#define NUM_GPRS 16
#define NUM_FPRS 16
#define NUM_ACRS 16
#define NUM_CR_WORDS 3

/* The program-status word. */
typedef struct {
	unsigned long mask;
	unsigned long addr;
} __attribute__((aligned(8))) psw_t;

/* The registers saved on kernel entry. */
struct pt_regs {
	unsigned long args[1];
	psw_t psw;
	unsigned long gprs[NUM_GPRS];
	unsigned long orig_gpr2;
	unsigned short ilc;
	unsigned short svcnr;
};

/*
 * The floating-point control word and registers. The kernel's freg_t is a union of a float, a
 * double, a __u64 and a hi/lo pair; it is its double member here, because cr maps the registers
 * with `bits`, which needs zerocopy's IntoBytes on the live type, and zerocopy derives that for
 * no union (a union of eight-byte members has no padding, but zerocopy's derive cannot see it).
 */
typedef double freg_t;

typedef struct {
	__u32 fpc;
	freg_t fprs[NUM_FPRS];
} s390_fp_regs;

/* Program-event recording: the control-register words cr9 to cr11, as words or as bits. */
typedef struct {
	unsigned long cr[NUM_CR_WORDS];
} per_cr_words;

typedef struct {
	unsigned : 32;
	unsigned em_branching : 1;
	unsigned em_instruction_fetch : 1;
	unsigned em_storage_alteration : 1;
	unsigned em_gpr_alt_unused : 1;
	unsigned em_store_real_address : 1;
	unsigned : 3;
	unsigned branch_addr_ctl : 1;
	unsigned : 1;
	unsigned storage_alt_space_ctl : 1;
	unsigned : 21;
	unsigned long starting_addr;
	unsigned long ending_addr;
} per_cr_bits;

/* The PER event the lowcore recorded: as words (with padding) or as bits. */
typedef struct {
	unsigned short perc_atmid;
	unsigned long address;
	unsigned char access_id;
} per_lowcore_words;

typedef struct {
	unsigned perc_branching : 1;
	unsigned perc_instruction_fetch : 1;
	unsigned perc_storage_alteration : 1;
	unsigned perc_gpr_alt_unused : 1;
	unsigned perc_store_real_address : 1;
	unsigned : 3;
	unsigned atmid_psw_bit_31 : 1;
	unsigned atmid_validity_bit : 1;
	unsigned atmid_psw_bit_32 : 1;
	unsigned atmid_psw_bit_5 : 1;
	unsigned atmid_psw_bit_16 : 1;
	unsigned atmid_psw_bit_17 : 1;
	unsigned si : 2;
	unsigned long address;
	unsigned : 4;
	unsigned access_id : 4;
} per_lowcore_bits;

typedef struct {
	union {
		per_cr_words words;
		per_cr_bits bits;
	} control_regs;
	/* Set instead of em_instruction_fetch, so that single stepping does not disturb tracing. */
	unsigned single_step : 1;
	unsigned instruction_fetch : 1;
	unsigned : 30;
	/* Copied into cr10 and cr11 when single stepping is off. */
	unsigned long starting_addr;
	unsigned long ending_addr;
	union {
		per_lowcore_words words;
		per_lowcore_bits bits;
	} lowcore;
} per_struct;

/*
 * A task's thread state: the fields the seed checkpoints, in the kernel's order. Left out (cr
 * neither saves nor restores them): mm_segment, prot_addr, trap_no, pfault_wait. last_break, the
 * breaking-event address, is a later kernel's field that version 2 of cr_hdr_cpu carries.
 */
struct thread_struct {
	s390_fp_regs fp_regs;
	unsigned int acrs[NUM_ACRS];
	unsigned long ksp;
	per_struct per_info;
	unsigned long ieee_instruction_pointer;
	unsigned long last_break;
};

/*
 * An address space's context. Left out: crst_list and pgtable_list, the kernel's lists of page
 * tables (pointers, rebuilt by the restarting kernel). The flags are C ints holding 0 or 1.
 */
typedef struct {
	unsigned long asce_bits;
	unsigned long asce_limit;
	unsigned long vdso_base;
	int noexec;
	int has_pgste;
	int alloc_pgste;
} mm_context_t;

#endif /* CR_S390_H */
