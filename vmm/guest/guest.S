# The guest of cr-vmm: 64-bit code for two vCPUs, loaded at CODE_ADDR (0x1000) and entered by the VMM on both
# vCPUs in long mode. `python3 vmm/guest/assemble.py` (GNU as, objdump, nm) writes vmm/src/guest_code.rs, the
# bytes with their disassembly and the symbols' offsets; `cargo test -p cr-vmm` checks that file against this
# one wherever GNU as is installed.
#
# On entry (set by the VMM): r12 the CPU index (0 or 1, the vCPU's APIC ID), r13 its 4 KiB buffer, r14 the
# address of its tick counter, rbp a 16-byte scratch slot, r8 a seed, r9 the number of rounds, rbx = r15 = 0,
# interrupts disabled, the IDT loaded (vector 0x20 -> pic_tick, 0x30 -> ioapic_tick, 0xff -> spurious, every
# other vector -> unexpected).
#
# CPU 0 programs the platform: the PIC pair (master vectors 0x20-0x27, only IRQ 0 unmasked; slave masked), its
# LAPIC's LINT0 as ExtINT (the PIC's output), the IOAPIC's pin 0 (GSI 0, where KVM's PIT raises its interrupt)
# as vector 0x30 to APIC ID 1, and the PIT's channel 0 as a rate generator at about 1 kHz. So every PIT tick
# reaches CPU 0 through the PIC and CPU 1 through the IOAPIC. Both CPUs enable x2APIC mode.
#
# Each round a CPU hashes its buffer (state in r8, xmm0, the buffer and the STAR MSR, as the one-vCPU guest
# did), waits for two timer ticks of its own from then on (hlt until its counter has grown by 2; r15 counts
# the ticks waited for), waits for its turn
# (the CPUs print alternately: turn word at TURN), reads one byte of serial input if the UART has one ('-'
# otherwise), folds it into the hash and prints
#     "<cpu> <round letter> <ticks taken, 4 hex digits> <input byte> <hash, 16 hex digits>\n"
# then passes the turn. The line is deterministic: a CPU counts the ticks it waited for, not the ticks that
# came. After its last round it folds xmm0 into r8 and writes to DONE_PORT, where the VMM reads r8.

.intel_syntax noprefix
.code64

.set TURN,         0x7000      # whose line is next (0 or 1)
.set TICKS0,       0x7100      # timer interrupts taken by CPU 0 (vector 0x20)
.set TICKS1,       0x7140      # timer interrupts taken by CPU 1 (vector 0x30)
.set COM1,         0x3f8
.set COM1_LSR,     0x3fd
.set DONE_PORT,    0xf4
.set FAULT_PORT,   0xf5
.set IOAPIC,       0xfec00000
.set PIT_COUNT,    1193        # 1.193182 MHz / 1193: a tick every 1.0 ms
.set TICKS_PER_LINE, 2
.set MSR_APIC_BASE, 0x1b
.set MSR_STAR,     0xc0000081
.set X2APIC_EOI,   0x80b
.set X2APIC_SVR,   0x80f
.set X2APIC_LVT0,  0x835

    .globl entry
entry:
    mov ecx, MSR_APIC_BASE       # x2APIC mode: APIC_BASE.EN | EXTD
    rdmsr
    or eax, 0xc00
    wrmsr
    mov ecx, X2APIC_SVR          # software-enable the LAPIC, spurious vector 0xff
    mov eax, 0x1ff
    xor edx, edx
    wrmsr
    test r12, r12
    jnz start
    mov ecx, X2APIC_LVT0         # CPU 0: LINT0 is ExtINT (the PIC), unmasked
    mov eax, 0x700
    wrmsr
    mov al, 0x11                 # PIC master: ICW1 (edge, cascade, ICW4)
    out 0x20, al
    mov al, 0x20                 # ICW2: vectors 0x20-0x27
    out 0x21, al
    mov al, 0x04                 # ICW3: slave on IRQ 2
    out 0x21, al
    mov al, 0x01                 # ICW4: 8086 mode
    out 0x21, al
    mov al, 0xfe                 # OCW1: only IRQ 0 (the PIT)
    out 0x21, al
    mov al, 0x11                 # PIC slave: ICW1
    out 0xa0, al
    mov al, 0x28                 # ICW2: vectors 0x28-0x2f
    out 0xa1, al
    mov al, 0x02                 # ICW3: cascade identity 2
    out 0xa1, al
    mov al, 0x01                 # ICW4
    out 0xa1, al
    mov al, 0xff                 # OCW1: all masked
    out 0xa1, al
    mov edi, IOAPIC              # IOAPIC redirection entry 0: to APIC ID 1 (high word) ...
    mov dword ptr [rdi], 0x11
    mov dword ptr [rdi + 0x10], 0x01000000
    mov dword ptr [rdi], 0x10    # ... vector 0x30, fixed, physical, edge, active high, unmasked
    mov dword ptr [rdi + 0x10], 0x30
    mov al, 0x34                 # PIT channel 0: lobyte/hibyte, mode 2 (rate generator), binary
    out 0x43, al
    mov al, PIT_COUNT & 0xff
    out 0x40, al
    mov al, PIT_COUNT >> 8
    out 0x40, al
start:
    sti

    .globl round
round:
    mov rdi, r13
    mov ecx, 0x100
block:                           # 256 blocks of 16 bytes: mix the buffer, xmm0 and r8
    movdqu [rbp], xmm0
    mov rax, [rdi]
    xor rax, [rbp]
    imul rax, rax, 0x1000193
    mov rdx, [rdi + 8]
    add rdx, [rbp + 8]
    rol rdx, 13
    xor rax, rdx
    mov [rbp], rdx
    mov [rbp + 8], rax
    mov [rdi], rax
    movdqu xmm0, [rbp]
    imul r8, r8, 0x1000193
    xor r8, rax
    add rdi, 16
    dec ecx
    jne block
    mov ecx, MSR_STAR            # fold STAR into the hash and the hash into STAR
    rdmsr
    shl rdx, 32
    or rax, rdx
    xor r8, rax
    mov rax, r8
    mov rdx, r8
    shr rdx, 32
    wrmsr

    add r15, TICKS_PER_LINE      # the ticks this CPU has waited for: printed
    mov rax, [r14]               # wait for two ticks from now (those that came while it computed or
    add rax, TICKS_PER_LINE      # printed do not count, so a timer that stops stops the guest)
wait_tick:
    cmp [r14], rax
    jae wait_turn
    hlt
    jmp wait_tick
wait_turn:                       # then for this CPU's turn
    cmp [TURN], r12
    je print
    hlt
    jmp wait_turn

print:
    mov dx, COM1
    mov al, r12b
    add al, '0'
    out dx, al
    mov al, ' '
    out dx, al
    mov al, bl
    add al, 'a'
    out dx, al
    mov al, ' '
    out dx, al
    mov rsi, r15
    mov ecx, 4
    call hex
    mov al, ' '
    out dx, al
    mov dx, COM1_LSR             # a byte of serial input, if the UART has one
    in al, dx
    test al, 1
    mov al, '-'
    jz 1f
    mov dx, COM1
    in al, dx
1:  movzx eax, al
    xor r8, rax
    mov dx, COM1
    out dx, al
    mov al, ' '
    out dx, al
    mov rsi, r8
    mov ecx, 16
    call hex
    mov al, 0x0a
    .globl newline_out
newline_out:
    out dx, al
    .globl after_newline
after_newline:
    mov rax, r12                 # pass the turn
    xor eax, 1
    mov [TURN], rax
    inc ebx
    cmp ebx, r9d
    jne round

    movdqu [rbp], xmm0           # done: fold xmm0 into r8 and report
    xor r8, [rbp]
    xor r8, [rbp + 8]
    mov dx, DONE_PORT
    out dx, al
    cli
2:  hlt
    jmp 2b

hex:                             # prints the low ecx hex digits of rsi on port dx
    mov eax, 16
    sub eax, ecx
    push rcx
    lea ecx, [rax * 4]
    shl rsi, cl
    pop rcx
3:  rol rsi, 4
    mov eax, esi
    and eax, 0xf
    add al, '0'
    cmp al, '9' + 1
    jb 4f
    add al, 'a' - '9' - 1
4:  out dx, al
    dec ecx
    jne 3b
    ret

    .globl pic_tick
pic_tick:                        # vector 0x20: a PIT tick through the PIC, on CPU 0
    inc qword ptr [TICKS0]
    push rax
    mov al, 0x20                 # non-specific EOI to the PIC master
    out 0x20, al
    pop rax
    iretq

    .globl ioapic_tick
ioapic_tick:                     # vector 0x30: a PIT tick through the IOAPIC, on CPU 1
    inc qword ptr [TICKS1]
    push rax
    push rcx
    push rdx
    mov ecx, X2APIC_EOI
    xor eax, eax
    xor edx, edx
    wrmsr
    pop rdx
    pop rcx
    pop rax
    iretq

    .globl spurious
spurious:                        # vector 0xff: the LAPIC's spurious interrupt, no EOI
    iretq

    .globl unexpected
unexpected:                      # any other vector: an exception or a stray interrupt; the VMM reports it
    mov dx, FAULT_PORT
    out dx, al
    cli
5:  hlt
    jmp 5b
