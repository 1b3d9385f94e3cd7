#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    const _: () = {
        let _ = |t: &Psw| {
            let Psw { mask: _, addr: _ } = t;
        };
    };
    #[automatically_derived]
    impl ::cr_core::Layout for PswHeader {
        const NAME: &'static str = "PswHeader";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            ::cr_core::FieldInfo {
                name: "mask",
                path: ::core::option::Option::Some("mask"),
                offset: ::core::mem::offset_of!(PswHeader, mask),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Mask {
                    mask: (PSW_MASK_USER) as u64,
                },
            },
            ::cr_core::FieldInfo {
                name: "addr",
                path: ::core::option::Option::Some("addr"),
                offset: ::core::mem::offset_of!(PswHeader, addr),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Mask {
                    mask: (PSW_ADDR_INSN) as u64,
                },
            },
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::layout::Describe for PswHeader {
        const FORMAT: ::cr_core::layout::Format = ::cr_core::layout::Format::Header {
            fingerprint: __cr::fingerprint_of::<Self>(),
            size: ::core::mem::size_of::<Self>(),
        };
    }
    #[automatically_derived]
    impl ::cr_core::CrCopy<Psw> for PswHeader {
        fn save(&mut self, src: &Psw) {
            self.mask = __cr::Same::save(self.mask, src.mask);
            self.addr = __cr::Same::save(self.addr, src.addr);
        }
        fn restore(
            &self,
            dst: &mut Psw,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<Psw> for PswHeader {
        #[inline]
        fn check(&self, dst: &Psw) -> ::core::result::Result<(), ::cr_core::Error> {
            let validate: fn(
                &Self,
                &Psw,
            ) -> ::core::result::Result<(), ::cr_core::Error> = validate_psw;
            validate(self, dst).map_err(__cr::locate::<Self>)?;
            ::core::result::Result::Ok(())
        }
        #[inline]
        fn write(&self, dst: &mut Psw) {
            dst.mask = __cr::Same::restore_masked(self.mask, PSW_MASK_USER, dst.mask);
            dst.addr = __cr::Same::restore_masked(self.addr, PSW_ADDR_INSN, dst.addr);
        }
        #[inline]
        fn after_restore(&self, dst: &mut Psw) {}
    }
};
#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    const _: () = ::core::assert!(
        __cr::size_of_place:: < Task, _ > (| t | t.thread.fp_regs.fprs) ==
        ::core::mem::size_of:: < [u64; 16] > (),
        "cr: header field `fprs` ([u64; 16]) and live `thread.fp_regs.fprs` differ in size; `bits` reinterprets bytes, so the header field needs a type of exactly the live place's size"
    );
    const _: () = {
        let _ = |t: &Task| {
            let PtRegs { args: _, psw: _, gprs: _, orig_gpr2: _, ilc: _, svcnr: _ } = t
                .regs;
            let ThreadStruct {
                fp_regs: _,
                per_info: _,
                acrs: _,
                ksp: _,
                ieee_instruction_pointer: _,
                last_break: _,
            } = t.thread;
            let PerStruct {
                lowcore: _,
                single_step: _,
                instruction_fetch: _,
                control_regs: _,
                starting_addr: _,
                ending_addr: _,
            } = t.thread.per_info;
        };
    };
    impl CrHdrCpu {
        ///Bit 0 of `em_instr`: set when `thread.per_info.single_step` is true.
        pub const EM_INSTR_SINGLE_STEP: u8 = 1 << 0;
        ///Bit 1 of `em_instr`: set when `thread.per_info.instruction_fetch` is true.
        pub const EM_INSTR_INSTRUCTION_FETCH: u8 = 1 << 1;
        ///Every flag bit of `em_instr` (bits 0, 1); restore rejects any other bit.
        pub const EM_INSTR_ALL: u8 = Self::EM_INSTR_SINGLE_STEP
            | Self::EM_INSTR_INSTRUCTION_FETCH;
    }
    #[automatically_derived]
    impl ::cr_core::Layout for CrHdrCpu {
        const NAME: &'static str = "CrHdrCpu";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            ::cr_core::FieldInfo {
                name: "args",
                path: ::core::option::Option::Some("regs.args"),
                offset: ::core::mem::offset_of!(CrHdrCpu, args),
                size: ::core::mem::size_of::<[u64; 1]>(),
                ty: "[u64; 1]",
                format: <[u64; 1] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "psw",
                path: ::core::option::Option::Some("regs.psw"),
                offset: ::core::mem::offset_of!(CrHdrCpu, psw),
                size: ::core::mem::size_of::<PswHeader>(),
                ty: "PswHeader",
                format: <PswHeader as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Nested(
                    __cr::nest::<Task, PswHeader, _>(|t| t.regs.psw).layout,
                ),
            },
            ::cr_core::FieldInfo {
                name: "gprs",
                path: ::core::option::Option::Some("regs.gprs"),
                offset: ::core::mem::offset_of!(CrHdrCpu, gprs),
                size: ::core::mem::size_of::<[u64; 16]>(),
                ty: "[u64; 16]",
                format: <[u64; 16] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "orig_gpr2",
                path: ::core::option::Option::Some("regs.orig_gpr2"),
                offset: ::core::mem::offset_of!(CrHdrCpu, orig_gpr2),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "ilc",
                path: ::core::option::Option::Some("regs.ilc"),
                offset: ::core::mem::offset_of!(CrHdrCpu, ilc),
                size: ::core::mem::size_of::<u32>(),
                ty: "u32",
                format: <u32 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Convert,
            },
            ::cr_core::FieldInfo {
                name: "svcnr",
                path: ::core::option::Option::Some("regs.svcnr"),
                offset: ::core::mem::offset_of!(CrHdrCpu, svcnr),
                size: ::core::mem::size_of::<u32>(),
                ty: "u32",
                format: <u32 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Convert,
            },
            ::cr_core::FieldInfo {
                name: "fpc",
                path: ::core::option::Option::Some("thread.fp_regs.fpc"),
                offset: ::core::mem::offset_of!(CrHdrCpu, fpc),
                size: ::core::mem::size_of::<u32>(),
                ty: "u32",
                format: <u32 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::StrictMask {
                    mask: (FPC_VALID_MASK) as u64,
                },
            },
            ::cr_core::FieldInfo {
                name: "per_atmid",
                path: ::core::option::Option::Some(
                    "thread.per_info.lowcore.words.perc_atmid",
                ),
                offset: ::core::mem::offset_of!(CrHdrCpu, per_atmid),
                size: ::core::mem::size_of::<u16>(),
                ty: "u16",
                format: <u16 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "per_access_id",
                path: ::core::option::Option::Some(
                    "thread.per_info.lowcore.words.access_id",
                ),
                offset: ::core::mem::offset_of!(CrHdrCpu, per_access_id),
                size: ::core::mem::size_of::<u8>(),
                ty: "u8",
                format: <u8 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "em_instr",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpu, em_instr),
                size: ::core::mem::size_of::<u8>(),
                ty: "u8",
                format: <u8 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Flags(
                    &[
                        ::cr_core::layout::FlagInfo {
                            name: "SINGLE_STEP",
                            bit: 0,
                            path: ::core::option::Option::Some(
                                "thread.per_info.single_step",
                            ),
                        },
                        ::cr_core::layout::FlagInfo {
                            name: "INSTRUCTION_FETCH",
                            bit: 1,
                            path: ::core::option::Option::Some(
                                "thread.per_info.instruction_fetch",
                            ),
                        },
                    ],
                ),
            },
            ::cr_core::FieldInfo {
                name: "fprs",
                path: ::core::option::Option::Some("thread.fp_regs.fprs"),
                offset: ::core::mem::offset_of!(CrHdrCpu, fprs),
                size: ::core::mem::size_of::<[u64; 16]>(),
                ty: "[u64; 16]",
                format: <[u64; 16] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Bits,
            },
            ::cr_core::FieldInfo {
                name: "acrs",
                path: ::core::option::Option::Some("thread.acrs"),
                offset: ::core::mem::offset_of!(CrHdrCpu, acrs),
                size: ::core::mem::size_of::<[u32; 16]>(),
                ty: "[u32; 16]",
                format: <[u32; 16] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "ksp",
                path: ::core::option::Option::Some("thread.ksp"),
                offset: ::core::mem::offset_of!(CrHdrCpu, ksp),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::SaveOnly,
            },
            ::cr_core::FieldInfo {
                name: "ieee_instruction_pointer",
                path: ::core::option::Option::Some("thread.ieee_instruction_pointer"),
                offset: ::core::mem::offset_of!(CrHdrCpu, ieee_instruction_pointer),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "per_control_regs",
                path: ::core::option::Option::Some("thread.per_info.control_regs.words"),
                offset: ::core::mem::offset_of!(CrHdrCpu, per_control_regs),
                size: ::core::mem::size_of::<[u64; 3]>(),
                ty: "[u64; 3]",
                format: <[u64; 3] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "per_starting_addr",
                path: ::core::option::Option::Some("thread.per_info.starting_addr"),
                offset: ::core::mem::offset_of!(CrHdrCpu, per_starting_addr),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "per_ending_addr",
                path: ::core::option::Option::Some("thread.per_info.ending_addr"),
                offset: ::core::mem::offset_of!(CrHdrCpu, per_ending_addr),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "per_address",
                path: ::core::option::Option::Some(
                    "thread.per_info.lowcore.words.address",
                ),
                offset: ::core::mem::offset_of!(CrHdrCpu, per_address),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "reserved",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpu, reserved),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Reserved,
            },
            ::cr_core::FieldInfo {
                name: "last_break",
                path: ::core::option::Option::Some("thread.last_break"),
                offset: ::core::mem::offset_of!(CrHdrCpu, last_break),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::layout::Describe for CrHdrCpu {
        const FORMAT: ::cr_core::layout::Format = ::cr_core::layout::Format::Header {
            fingerprint: __cr::fingerprint_of::<Self>(),
            size: ::core::mem::size_of::<Self>(),
        };
    }
    const _: () = ::core::assert!(
        (CR_HDR_CPU) != ::cr_core::image::END,
        "cr: `CrHdrCpu` has record type 0, which is reserved for the image's end record; give it another number"
    );
    const _: () = __cr::check_chain(
        <CrHdrCpuV1 as ::cr_core::image::Record>::TYPE,
        <CrHdrCpuV1 as ::cr_core::image::Record>::VERSION,
        <CrHdrCpu as ::cr_core::image::Record>::TYPE,
        <CrHdrCpu as ::cr_core::image::Record>::VERSION,
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[0],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[1],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[2],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[3],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[4],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[5],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[6],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[7],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[8],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[9],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[10],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[11],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[12],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[13],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[14],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[15],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[16],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[17],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[18],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_new(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[19],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_dropped(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        <CrHdrCpu as ::cr_core::Layout>::FIELDS,
        &[],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    #[automatically_derived]
    impl ::cr_core::image::Record for CrHdrCpu {
        const TYPE: u32 = CR_HDR_CPU;
        const VERSION: u32 = 2;
        const OLDEST: u32 = <CrHdrCpuV1 as ::cr_core::image::Record>::OLDEST;
        fn layout_of(version: u32) -> ::core::option::Option<(u64, usize)> {
            if version == <Self as ::cr_core::image::Record>::VERSION {
                ::core::option::Option::Some((
                    __cr::fingerprint_of::<Self>(),
                    ::core::mem::size_of::<Self>(),
                ))
            } else {
                <CrHdrCpuV1 as ::cr_core::image::Record>::layout_of(version)
            }
        }
        fn decode(
            version: u32,
            payload: &[u8],
        ) -> ::core::result::Result<Self, ::cr_core::Error> {
            if version == <Self as ::cr_core::image::Record>::VERSION {
                return __cr::read_exact::<Self>(payload);
            }
            let prev = <CrHdrCpuV1 as ::cr_core::image::Record>::decode(
                version,
                payload,
            )?;
            __cr::upgrade::<CrHdrCpuV1, Self>(&prev, |_: &mut Self| {})
        }
    }
    const _: () = __cr::check_pin(
        <CrHdrCpu as ::cr_core::Layout>::FINGERPRINT,
        16107501210839793818u64,
        "CrHdrCpu",
    );
    #[automatically_derived]
    impl ::cr_core::CrCopy<Task> for CrHdrCpu {
        fn save(&mut self, src: &Task) {
            self.args = __cr::Same::save(self.args, src.regs.args);
            self.psw = __cr::nest::<Task, PswHeader, _>(|t| t.regs.psw)
                .save(self.psw, src.regs.psw);
            self.gprs = __cr::Same::save(self.gprs, src.regs.gprs);
            self.orig_gpr2 = __cr::Same::save(self.orig_gpr2, src.regs.orig_gpr2);
            self.ilc = __cr::Widen::save(self.ilc, src.regs.ilc);
            self.svcnr = __cr::Widen::save(self.svcnr, src.regs.svcnr);
            self.fpc = __cr::Same::save(self.fpc, src.thread.fp_regs.fpc);
            self.per_atmid = __cr::Same::save(
                self.per_atmid,
                src.thread.per_info.lowcore.words.perc_atmid,
            );
            self.per_access_id = __cr::Same::save(
                self.per_access_id,
                src.thread.per_info.lowcore.words.access_id,
            );
            self.em_instr = __cr::Flag::save(
                src.thread.per_info.single_step,
                Self::EM_INSTR_SINGLE_STEP,
            )
                | __cr::Flag::save(
                    src.thread.per_info.instruction_fetch,
                    Self::EM_INSTR_INSTRUCTION_FETCH,
                );
            self.fprs = __cr::bits(src.thread.fp_regs.fprs);
            self.acrs = __cr::Same::save(self.acrs, src.thread.acrs);
            self.ksp = __cr::Same::save(self.ksp, src.thread.ksp);
            self.ieee_instruction_pointer = __cr::Same::save(
                self.ieee_instruction_pointer,
                src.thread.ieee_instruction_pointer,
            );
            self.per_control_regs = __cr::Same::save(
                self.per_control_regs,
                src.thread.per_info.control_regs.words,
            );
            self.per_starting_addr = __cr::Same::save(
                self.per_starting_addr,
                src.thread.per_info.starting_addr,
            );
            self.per_ending_addr = __cr::Same::save(
                self.per_ending_addr,
                src.thread.per_info.ending_addr,
            );
            self.per_address = __cr::Same::save(
                self.per_address,
                src.thread.per_info.lowcore.words.address,
            );
            self.reserved = __cr::FromZeros::new_zeroed();
            self.last_break = __cr::Same::save(self.last_break, src.thread.last_break);
        }
        fn restore(
            &self,
            dst: &mut Task,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<Task> for CrHdrCpu {
        #[inline]
        fn check(&self, dst: &Task) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::nest::<Task, PswHeader, _>(|t| t.regs.psw)
                .check(
                    self.psw,
                    dst.regs.psw,
                    const { &<Self as ::cr_core::Layout>::FIELDS[1] },
                )?;
            __cr::narrow(self.ilc, dst.regs.ilc, "ilc", "regs.ilc")?;
            __cr::narrow(self.svcnr, dst.regs.svcnr, "svcnr", "regs.svcnr")?;
            __cr::check_mask(self.fpc, FPC_VALID_MASK, "fpc", "thread.fp_regs.fpc")?;
            __cr::check_flags(self.em_instr, Self::EM_INSTR_ALL, "em_instr")?;
            __cr::check_reserved(self.reserved, "reserved")?;
            ::core::result::Result::Ok(())
        }
        #[inline]
        fn write(&self, dst: &mut Task) {
            dst.regs.args = __cr::Same::restore(self.args, dst.regs.args);
            dst.regs.psw = __cr::nest::<Task, PswHeader, _>(|t| t.regs.psw)
                .write(self.psw, dst.regs.psw);
            dst.regs.gprs = __cr::Same::restore(self.gprs, dst.regs.gprs);
            dst.regs.orig_gpr2 = __cr::Same::restore(self.orig_gpr2, dst.regs.orig_gpr2);
            dst.regs.ilc = __cr::narrowed(self.ilc, dst.regs.ilc);
            dst.regs.svcnr = __cr::narrowed(self.svcnr, dst.regs.svcnr);
            dst.thread.fp_regs.fpc = __cr::Same::restore(
                self.fpc,
                dst.thread.fp_regs.fpc,
            );
            dst.thread.per_info.lowcore.words.perc_atmid = __cr::Same::restore(
                self.per_atmid,
                dst.thread.per_info.lowcore.words.perc_atmid,
            );
            dst.thread.per_info.lowcore.words.access_id = __cr::Same::restore(
                self.per_access_id,
                dst.thread.per_info.lowcore.words.access_id,
            );
            dst.thread.per_info.single_step = __cr::Flag::restore(
                self.em_instr,
                Self::EM_INSTR_SINGLE_STEP,
                dst.thread.per_info.single_step,
            );
            dst.thread.per_info.instruction_fetch = __cr::Flag::restore(
                self.em_instr,
                Self::EM_INSTR_INSTRUCTION_FETCH,
                dst.thread.per_info.instruction_fetch,
            );
            dst.thread.fp_regs.fprs = __cr::bits(self.fprs);
            dst.thread.acrs = __cr::Same::restore(self.acrs, dst.thread.acrs);
            dst.thread.ieee_instruction_pointer = __cr::Same::restore(
                self.ieee_instruction_pointer,
                dst.thread.ieee_instruction_pointer,
            );
            dst.thread.per_info.control_regs.words = __cr::Same::restore(
                self.per_control_regs,
                dst.thread.per_info.control_regs.words,
            );
            dst.thread.per_info.starting_addr = __cr::Same::restore(
                self.per_starting_addr,
                dst.thread.per_info.starting_addr,
            );
            dst.thread.per_info.ending_addr = __cr::Same::restore(
                self.per_ending_addr,
                dst.thread.per_info.ending_addr,
            );
            dst.thread.per_info.lowcore.words.address = __cr::Same::restore(
                self.per_address,
                dst.thread.per_info.lowcore.words.address,
            );
            dst.thread.last_break = __cr::Same::restore(
                self.last_break,
                dst.thread.last_break,
            );
        }
        #[inline]
        fn after_restore(&self, dst: &mut Task) {
            dst.regs.psw = __cr::nest::<Task, PswHeader, _>(|t| t.regs.psw)
                .after_restore(self.psw, dst.regs.psw);
            let after_restore: fn(&mut Task) = restore_access_regs;
            after_restore(dst);
        }
    }
};
#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    impl CrHdrCpuV1 {
        ///Bit 0 of `em_instr`: the flag `SINGLE_STEP`.
        pub const EM_INSTR_SINGLE_STEP: u8 = 1 << 0;
        ///Bit 1 of `em_instr`: the flag `INSTRUCTION_FETCH`.
        pub const EM_INSTR_INSTRUCTION_FETCH: u8 = 1 << 1;
        ///Every flag bit of `em_instr` (bits 0, 1); restore rejects any other bit.
        pub const EM_INSTR_ALL: u8 = Self::EM_INSTR_SINGLE_STEP
            | Self::EM_INSTR_INSTRUCTION_FETCH;
    }
    #[automatically_derived]
    impl ::cr_core::Layout for CrHdrCpuV1 {
        const NAME: &'static str = "CrHdrCpuV1";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            ::cr_core::FieldInfo {
                name: "args",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, args),
                size: ::core::mem::size_of::<[u64; 1]>(),
                ty: "[u64; 1]",
                format: <[u64; 1] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "psw",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, psw),
                size: ::core::mem::size_of::<PswHeader>(),
                ty: "PswHeader",
                format: <PswHeader as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Nested(
                    <PswHeader as __cr::Frozen>::LAYOUT,
                ),
            },
            ::cr_core::FieldInfo {
                name: "gprs",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, gprs),
                size: ::core::mem::size_of::<[u64; 16]>(),
                ty: "[u64; 16]",
                format: <[u64; 16] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "orig_gpr2",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, orig_gpr2),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "ilc",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, ilc),
                size: ::core::mem::size_of::<u32>(),
                ty: "u32",
                format: <u32 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "svcnr",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, svcnr),
                size: ::core::mem::size_of::<u32>(),
                ty: "u32",
                format: <u32 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "fpc",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, fpc),
                size: ::core::mem::size_of::<u32>(),
                ty: "u32",
                format: <u32 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "per_atmid",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, per_atmid),
                size: ::core::mem::size_of::<u16>(),
                ty: "u16",
                format: <u16 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "per_access_id",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, per_access_id),
                size: ::core::mem::size_of::<u8>(),
                ty: "u8",
                format: <u8 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "em_instr",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, em_instr),
                size: ::core::mem::size_of::<u8>(),
                ty: "u8",
                format: <u8 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Flags(
                    &[
                        ::cr_core::layout::FlagInfo {
                            name: "SINGLE_STEP",
                            bit: 0,
                            path: ::core::option::Option::None,
                        },
                        ::cr_core::layout::FlagInfo {
                            name: "INSTRUCTION_FETCH",
                            bit: 1,
                            path: ::core::option::Option::None,
                        },
                    ],
                ),
            },
            ::cr_core::FieldInfo {
                name: "fprs",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, fprs),
                size: ::core::mem::size_of::<[u64; 16]>(),
                ty: "[u64; 16]",
                format: <[u64; 16] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "acrs",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, acrs),
                size: ::core::mem::size_of::<[u32; 16]>(),
                ty: "[u32; 16]",
                format: <[u32; 16] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "ksp",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, ksp),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "ieee_instruction_pointer",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, ieee_instruction_pointer),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "per_control_regs",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, per_control_regs),
                size: ::core::mem::size_of::<[u64; 3]>(),
                ty: "[u64; 3]",
                format: <[u64; 3] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "per_starting_addr",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, per_starting_addr),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "per_ending_addr",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, per_ending_addr),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "per_address",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, per_address),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "reserved",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrCpuV1, reserved),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Reserved,
            },
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::layout::Describe for CrHdrCpuV1 {
        const FORMAT: ::cr_core::layout::Format = ::cr_core::layout::Format::Header {
            fingerprint: __cr::fingerprint_of::<Self>(),
            size: ::core::mem::size_of::<Self>(),
        };
    }
    const _: () = ::core::assert!(
        (CR_HDR_CPU) != ::cr_core::image::END,
        "cr: `CrHdrCpuV1` has record type 0, which is reserved for the image's end record; give it another number"
    );
    #[automatically_derived]
    impl ::cr_core::image::Record for CrHdrCpuV1 {
        const TYPE: u32 = CR_HDR_CPU;
    }
    const _: () = __cr::check_pin(
        <CrHdrCpuV1 as ::cr_core::Layout>::FINGERPRINT,
        11086757650980955454u64,
        "CrHdrCpuV1",
    );
};
#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    const _: () = {
        let _ = |t: &MmContext| {
            let MmContext {
                vdso_base: _,
                noexec: _,
                has_pgste: _,
                alloc_pgste: _,
                asce_bits: _,
                asce_limit: _,
            } = t;
        };
    };
    impl CrHdrMmContext {
        ///Bit 0 of `flags`: set when `noexec` is true.
        pub const FLAGS_NOEXEC: u32 = 1 << 0;
        ///Bit 1 of `flags`: set when `has_pgste` is true.
        pub const FLAGS_HAS_PGSTE: u32 = 1 << 1;
        ///Bit 2 of `flags`: set when `alloc_pgste` is true.
        pub const FLAGS_ALLOC_PGSTE: u32 = 1 << 2;
        ///Every flag bit of `flags` (bits 0, 1, 2); restore rejects any other bit.
        pub const FLAGS_ALL: u32 = Self::FLAGS_NOEXEC | Self::FLAGS_HAS_PGSTE
            | Self::FLAGS_ALLOC_PGSTE;
    }
    #[automatically_derived]
    impl ::cr_core::Layout for CrHdrMmContext {
        const NAME: &'static str = "CrHdrMmContext";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            ::cr_core::FieldInfo {
                name: "vdso_base",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrMmContext, vdso_base),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Skip,
            },
            ::cr_core::FieldInfo {
                name: "flags",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrMmContext, flags),
                size: ::core::mem::size_of::<u32>(),
                ty: "u32",
                format: <u32 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Flags(
                    &[
                        ::cr_core::layout::FlagInfo {
                            name: "NOEXEC",
                            bit: 0,
                            path: ::core::option::Option::Some("noexec"),
                        },
                        ::cr_core::layout::FlagInfo {
                            name: "HAS_PGSTE",
                            bit: 1,
                            path: ::core::option::Option::Some("has_pgste"),
                        },
                        ::cr_core::layout::FlagInfo {
                            name: "ALLOC_PGSTE",
                            bit: 2,
                            path: ::core::option::Option::Some("alloc_pgste"),
                        },
                    ],
                ),
            },
            ::cr_core::FieldInfo {
                name: "reserved",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(CrHdrMmContext, reserved),
                size: ::core::mem::size_of::<u32>(),
                ty: "u32",
                format: <u32 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Reserved,
            },
            ::cr_core::FieldInfo {
                name: "asce_bits",
                path: ::core::option::Option::Some("asce_bits"),
                offset: ::core::mem::offset_of!(CrHdrMmContext, asce_bits),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "asce_limit",
                path: ::core::option::Option::Some("asce_limit"),
                offset: ::core::mem::offset_of!(CrHdrMmContext, asce_limit),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::layout::Describe for CrHdrMmContext {
        const FORMAT: ::cr_core::layout::Format = ::cr_core::layout::Format::Header {
            fingerprint: __cr::fingerprint_of::<Self>(),
            size: ::core::mem::size_of::<Self>(),
        };
    }
    const _: () = ::core::assert!(
        (CR_HDR_MM_CONTEXT) != ::cr_core::image::END,
        "cr: `CrHdrMmContext` has record type 0, which is reserved for the image's end record; give it another number"
    );
    #[automatically_derived]
    impl ::cr_core::image::Record for CrHdrMmContext {
        const TYPE: u32 = CR_HDR_MM_CONTEXT;
    }
    #[automatically_derived]
    impl ::cr_core::CrCopy<MmContext> for CrHdrMmContext {
        fn save(&mut self, src: &MmContext) {
            self.vdso_base = ::core::default::Default::default();
            self.flags = __cr::Flag::save(src.noexec, Self::FLAGS_NOEXEC)
                | __cr::Flag::save(src.has_pgste, Self::FLAGS_HAS_PGSTE)
                | __cr::Flag::save(src.alloc_pgste, Self::FLAGS_ALLOC_PGSTE);
            self.reserved = __cr::FromZeros::new_zeroed();
            self.asce_bits = __cr::Same::save(self.asce_bits, src.asce_bits);
            self.asce_limit = __cr::Same::save(self.asce_limit, src.asce_limit);
        }
        fn restore(
            &self,
            dst: &mut MmContext,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<MmContext> for CrHdrMmContext {
        #[inline]
        fn check(
            &self,
            dst: &MmContext,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::check_flags(self.flags, Self::FLAGS_ALL, "flags")?;
            __cr::check_reserved(self.reserved, "reserved")?;
            ::core::result::Result::Ok(())
        }
        #[inline]
        fn write(&self, dst: &mut MmContext) {
            dst.noexec = __cr::Flag::restore(self.flags, Self::FLAGS_NOEXEC, dst.noexec);
            dst.has_pgste = __cr::Flag::restore(
                self.flags,
                Self::FLAGS_HAS_PGSTE,
                dst.has_pgste,
            );
            dst.alloc_pgste = __cr::Flag::restore(
                self.flags,
                Self::FLAGS_ALLOC_PGSTE,
                dst.alloc_pgste,
            );
            dst.asce_bits = __cr::Same::restore(self.asce_bits, dst.asce_bits);
            dst.asce_limit = __cr::Same::restore(self.asce_limit, dst.asce_limit);
        }
        #[inline]
        fn after_restore(&self, dst: &mut MmContext) {}
    }
};
