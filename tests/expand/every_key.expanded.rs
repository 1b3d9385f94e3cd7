#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    #[automatically_derived]
    impl ::cr_core::Layout for LowcoreHeader {
        const NAME: &'static str = "LowcoreHeader";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            __cr::path_row::<
                u8,
            >(
                "access_id",
                "access_id",
                __cr::offset_of!(LowcoreHeader, access_id),
                "u8",
                __cr::Mode::Copy,
            ),
            __cr::row::<
                [u8; 6],
            >(
                "pad",
                __cr::offset_of!(LowcoreHeader, pad),
                "[u8; 6]",
                __cr::Mode::Reserved,
            ),
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::CrCopy<PerLowcore> for LowcoreHeader {
        #[inline]
        fn save(&mut self, src: &PerLowcore) {
            self.access_id = __cr::Same::save(self.access_id, src.access_id);
            self.pad = __cr::FromZeros::new_zeroed();
        }
        #[inline]
        fn restore(
            &self,
            dst: &mut PerLowcore,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<PerLowcore> for LowcoreHeader {
        #[inline(always)]
        fn check(
            &self,
            dst: &PerLowcore,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            if let __cr::Err(__e) = __cr::check_reserved(self.pad, "pad") {
                return __cr::Err(__e);
            }
            ::core::result::Result::Ok(())
        }
        #[inline(always)]
        #[allow(trivial_casts, trivial_numeric_casts)]
        fn write(&self, dst: &mut PerLowcore) {
            dst.access_id = self.access_id as _;
        }
    }
};
#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    #[allow(unused_imports)]
    use __cr::union::{ViewPromised as _, ViewRefused as _};
    const _: () = ::core::assert!(
        __cr::size_of_place:: < Task, _ > (| t | t.thread.fp_regs.fprs) ==
        ::core::mem::size_of:: < [u64; 16] > (),
        "cr: header field `bits` ([u64; 16]) and live `thread.fp_regs.fprs` differ in size; `bits` reinterprets bytes, so the header field needs a type of exactly the live place's size"
    );
    const _: () = {
        let _ = |t: &Task| {
            let PerStruct {
                ending_addr: _,
                control_regs: _,
                starting_addr: _,
                single_step: _,
                instruction_fetch: _,
                lowcore: _,
            } = t.thread.per_info;
        };
    };
    const _: () = __cr::check_variants(
        "EveryKey",
        "chip_id",
        &[("pic", &[(0) as u64, (1) as u64]), ("ioapic", &[(2) as u64])],
    );
    impl EveryKey {
        /// Bit 0 of `flag`: set when `thread.per_info.single_step` is true.
        pub const FLAG_SINGLE_STEP: u8 = 1 << 0;
        /// Bit 3 of `flag`: set when `thread.per_info.instruction_fetch` is true.
        pub const FLAG_IFETCH: u8 = 1 << 3;
        /// Every flag bit of `flag` (bits 0, 3); restore rejects any other bit.
        pub const FLAG_ALL: u8 = Self::FLAG_SINGLE_STEP | Self::FLAG_IFETCH;
        /// Bit 0 of `control`: set when `control.single_step()` is true.
        pub const CONTROL_SINGLE_STEP: u32 = 1 << 0;
        /// Every flag bit of `control` (bit 0); restore rejects any other bit.
        pub const CONTROL_ALL: u32 = Self::CONTROL_SINGLE_STEP;
    }
    #[automatically_derived]
    impl ::cr_core::Layout for EveryKey {
        const NAME: &'static str = "EveryKey";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            __cr::path_row::<
                [u64; 16],
            >(
                "copy",
                "regs.gprs",
                __cr::offset_of!(EveryKey, copy),
                "[u64; 16]",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                [u64; 16],
            >(
                "bits",
                "thread.fp_regs.fprs",
                __cr::offset_of!(EveryKey, bits),
                "[u64; 16]",
                __cr::Mode::Bits,
            ),
            __cr::path_row::<
                u64,
            >(
                "convert",
                "regs.ilc",
                __cr::offset_of!(EveryKey, convert),
                "u64",
                __cr::Mode::Convert,
            ),
            __cr::path_row::<
                u64,
            >(
                "mask",
                "regs.psw.addr",
                __cr::offset_of!(EveryKey, mask),
                "u64",
                __cr::Mode::Mask {
                    mask: (0x7fff_ffff) as u64,
                },
            ),
            __cr::path_row::<
                u64,
            >(
                "strict_mask",
                "regs.psw.mask",
                __cr::offset_of!(EveryKey, strict_mask),
                "u64",
                __cr::Mode::StrictMask {
                    mask: (USER_MASK) as u64,
                },
            ),
            __cr::path_row::<
                u64,
            >(
                "save_only",
                "thread.ksp",
                __cr::offset_of!(EveryKey, save_only),
                "u64",
                __cr::Mode::SaveOnly,
            ),
            __cr::row::<
                u8,
            >(
                "flag",
                __cr::offset_of!(EveryKey, flag),
                "u8",
                __cr::Mode::Flags(
                    &[
                        __cr::FlagInfo {
                            name: "SINGLE_STEP",
                            bit: 0,
                            path: __cr::Some("thread.per_info.single_step"),
                        },
                        __cr::FlagInfo {
                            name: "IFETCH",
                            bit: 3,
                            path: __cr::Some("thread.per_info.instruction_fetch"),
                        },
                    ],
                ),
            ),
            __cr::path_row::<
                LowcoreHeader,
            >(
                "nested",
                "thread.per_info.lowcore",
                __cr::offset_of!(EveryKey, nested),
                "LowcoreHeader",
                __cr::Mode::Nested(
                    __cr::nest_ref::<
                        Task,
                        LowcoreHeader,
                        _,
                    >(|t| &t.thread.per_info.lowcore)
                        .layout,
                ),
            ),
            __cr::row::<
                u64,
            >("skip", __cr::offset_of!(EveryKey, skip), "u64", __cr::Mode::Skip),
            __cr::row::<
                [u8; 8],
            >(
                "reserved",
                __cr::offset_of!(EveryKey, reserved),
                "[u8; 8]",
                __cr::Mode::Reserved,
            ),
            __cr::path_row::<
                u32,
            >(
                "chip_id",
                "chip.id",
                __cr::offset_of!(EveryKey, chip_id),
                "u32",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u32,
            >(
                "irq",
                "irq.irq",
                __cr::offset_of!(EveryKey, irq),
                "u32",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                [u8; 8],
            >(
                "pic",
                "chip.state.pic",
                __cr::offset_of!(EveryKey, pic),
                "[u8; 8]",
                __cr::Mode::Variant(__cr::Variant {
                    tag: "chip_id",
                    values: &[(0) as u64, (1) as u64],
                    mode: &__cr::Mode::Copy,
                }),
            ),
            __cr::path_row::<
                u64,
            >(
                "ioapic",
                "chip.state.ioapic",
                __cr::offset_of!(EveryKey, ioapic),
                "u64",
                __cr::Mode::Variant(__cr::Variant {
                    tag: "chip_id",
                    values: &[(2) as u64],
                    mode: &__cr::Mode::Copy,
                }),
            ),
            __cr::row::<
                u32,
            >(
                "control",
                __cr::offset_of!(EveryKey, control),
                "u32",
                __cr::Mode::Flags(
                    &[
                        __cr::FlagInfo {
                            name: "SINGLE_STEP",
                            bit: 0,
                            path: __cr::Some("control.single_step()"),
                        },
                    ],
                ),
            ),
            __cr::row::<
                u32,
            >(
                "reserved_tail",
                __cr::offset_of!(EveryKey, reserved_tail),
                "u32",
                __cr::Mode::Reserved,
            ),
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    const _: () = ::core::assert!(
        (9) != ::cr_core::image::END,
        "cr: `EveryKey` has record type 0, which is reserved for the image's end record; give it another number"
    );
    const _: () = __cr::check_chain(
        <EveryKeyV1 as ::cr_core::image::Record>::TYPE,
        <EveryKeyV1 as ::cr_core::image::Record>::VERSION,
        <EveryKey as ::cr_core::image::Record>::TYPE,
        <EveryKey as ::cr_core::image::Record>::VERSION,
        "EveryKeyV1",
    );
    const _: () = __cr::check_carried(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[0],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_carried(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[1],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_carried(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[2],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_carried(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[3],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_carried(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[4],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_carried(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[5],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_carried(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[6],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_carried(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[7],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_new(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[8],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_carried(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[9],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_new(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[10],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_new(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[11],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_new(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[12],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_new(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[13],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_new(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[14],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_new(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        &<EveryKey as ::cr_core::Layout>::FIELDS[15],
        "EveryKey",
        "EveryKeyV1",
    );
    const _: () = __cr::check_dropped(
        <EveryKeyV1 as ::cr_core::Layout>::FIELDS,
        <EveryKey as ::cr_core::Layout>::FIELDS,
        &["gone"],
        "EveryKey",
        "EveryKeyV1",
    );
    #[automatically_derived]
    impl ::cr_core::image::Record for EveryKey {
        const TYPE: u32 = 9;
        const VERSION: u32 = 2;
        const OPTIONAL: bool = true;
        const MAX_ENTRIES: usize = 8;
        const UNIQUE: &'static [&'static str] = &["copy", "chip_id"];
        #[inline]
        fn same_entry(&self, other: &Self) -> bool {
            self.copy == other.copy && self.chip_id == other.chip_id
        }
        const OLDEST: u32 = <EveryKeyV1 as ::cr_core::image::Record>::OLDEST;
        fn layout_of(version: u32) -> ::core::option::Option<(u64, usize)> {
            if version == <Self as ::cr_core::image::Record>::VERSION {
                ::core::option::Option::Some((
                    __cr::fingerprint_of::<Self>(),
                    ::core::mem::size_of::<Self>(),
                ))
            } else {
                <EveryKeyV1 as ::cr_core::image::Record>::layout_of(version)
            }
        }
        fn decode(
            version: u32,
            payload: ::cr_core::image::Payload<'_>,
        ) -> ::core::result::Result<Self, ::cr_core::Error> {
            if version == <Self as ::cr_core::image::Record>::VERSION {
                return __cr::read_exact::<Self>(payload);
            }
            let prev = <EveryKeyV1 as ::cr_core::image::Record>::decode(
                version,
                payload,
            )?;
            __cr::upgrade::<
                EveryKeyV1,
                Self,
            >(
                &prev,
                |h: &mut Self| {
                    h.skip = 7;
                },
            )
        }
    }
    const _: () = __cr::check_pin(
        <EveryKey as ::cr_core::Layout>::FINGERPRINT,
        0xdfe72e56f3d30708,
        "EveryKey",
    );
    #[automatically_derived]
    impl ::cr_core::CrCopy<Task> for EveryKey {
        #[inline]
        fn save(&mut self, src: &Task) {
            self.copy = __cr::Same::save(self.copy, src.regs.gprs);
            self.bits = __cr::bits(src.thread.fp_regs.fprs);
            self.convert = __cr::Widen::save(self.convert, src.regs.ilc);
            self.mask = __cr::Same::save(self.mask, src.regs.psw.addr);
            self.strict_mask = __cr::Same::save(self.strict_mask, src.regs.psw.mask);
            self.save_only = __cr::Same::save(self.save_only, src.thread.ksp);
            self.flag = __cr::Flag::save(
                src.thread.per_info.single_step,
                Self::FLAG_SINGLE_STEP,
            )
                | __cr::Flag::save(
                    src.thread.per_info.instruction_fetch,
                    Self::FLAG_IFETCH,
                );
            __cr::nest_ref::<Task, LowcoreHeader, _>(|t| &t.thread.per_info.lowcore)
                .save_ref(&mut self.nested, &src.thread.per_info.lowcore);
            self.skip = ::core::default::Default::default();
            self.reserved = __cr::FromZeros::new_zeroed();
            self.chip_id = __cr::Same::save(self.chip_id, src.chip.id);
            self.irq = __cr::Same::save(
                self.irq,
                __cr::union_of::<EveryKey, _>(&src.irq)
                    .view()
                    .member(|__u| &raw const __u.irq),
            );
            if self.chip_id == 0 || self.chip_id == 1 {
                self.pic = __cr::Same::save(
                    self.pic,
                    __cr::union_of::<EveryKey, _>(&src.chip.state)
                        .view()
                        .member(|__u| &raw const __u.pic),
                );
            } else {
                self.pic = __cr::FromZeros::new_zeroed();
            }
            if self.chip_id == 2 {
                self.ioapic = __cr::Same::save(
                    self.ioapic,
                    __cr::union_of::<EveryKey, _>(&src.chip.state)
                        .view()
                        .member(|__u| &raw const __u.ioapic),
                );
            } else {
                self.ioapic = __cr::FromZeros::new_zeroed();
            }
            self.control = __cr::Flag::save(
                src.control.single_step(),
                Self::CONTROL_SINGLE_STEP,
            );
            self.reserved_tail = __cr::FromZeros::new_zeroed();
        }
        #[inline]
        fn restore(
            &self,
            dst: &mut Task,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<Task> for EveryKey {
        #[inline(always)]
        fn check(&self, dst: &Task) -> ::core::result::Result<(), ::cr_core::Error> {
            if let __cr::Err(__e) = __cr::narrow(
                self.convert,
                dst.regs.ilc,
                "convert",
                "regs.ilc",
            ) {
                return __cr::Err(__e);
            }
            if let __cr::Err(__e) = __cr::check_mask(
                self.strict_mask,
                USER_MASK,
                "strict_mask",
                "regs.psw.mask",
            ) {
                return __cr::Err(__e);
            }
            if let __cr::Err(__e) = __cr::check_flags(
                self.flag,
                Self::FLAG_ALL,
                "flag",
            ) {
                return __cr::Err(__e);
            }
            if let __cr::Err(__e) = __cr::nest_ref::<
                Task,
                LowcoreHeader,
                _,
            >(|t| &t.thread.per_info.lowcore)
                .check_ref(
                    &self.nested,
                    &dst.thread.per_info.lowcore,
                    const { &<Self as ::cr_core::Layout>::FIELDS[7] },
                    __cr::None,
                )
            {
                return __cr::Err(__e);
            }
            if let __cr::Err(__e) = __cr::check_reserved(self.reserved, "reserved") {
                return __cr::Err(__e);
            }
            if let __cr::Err(__e) = __cr::check_tag(
                self.chip_id == 0 || self.chip_id == 1 || self.chip_id == 2,
                self.chip_id,
                "chip_id",
                "chip.id",
            ) {
                return __cr::Err(__e);
            }
            if !(self.chip_id == 0 || self.chip_id == 1) {
                if let __cr::Err(__e) = __cr::check_inactive(
                    self.pic,
                    self.chip_id,
                    "pic",
                ) {
                    return __cr::Err(__e);
                }
            }
            if !(self.chip_id == 2) {
                if let __cr::Err(__e) = __cr::check_inactive(
                    self.ioapic,
                    self.chip_id,
                    "ioapic",
                ) {
                    return __cr::Err(__e);
                }
            }
            if let __cr::Err(__e) = __cr::check_flags(
                self.control,
                Self::CONTROL_ALL,
                "control",
            ) {
                return __cr::Err(__e);
            }
            if let __cr::Err(__e) = __cr::check_reserved(
                self.reserved_tail,
                "reserved_tail",
            ) {
                return __cr::Err(__e);
            }
            let validate: fn(
                &Self,
                &Task,
            ) -> ::core::result::Result<(), ::cr_core::Error> = check;
            if let __cr::Err(__e) = validate(self, dst) {
                return __cr::Err(__cr::locate::<Self>(__e));
            }
            ::core::result::Result::Ok(())
        }
        #[inline(always)]
        #[allow(trivial_casts, trivial_numeric_casts)]
        fn write(&self, dst: &mut Task) {
            dst.regs.gprs = self.copy as _;
            dst.thread.fp_regs.fprs = __cr::bits(self.bits);
            dst.regs.ilc = __cr::narrowed(self.convert, dst.regs.ilc);
            dst.regs.psw.addr = __cr::Same::restore_masked(
                self.mask,
                0x7fff_ffff,
                dst.regs.psw.addr,
            );
            dst.regs.psw.mask = self.strict_mask as _;
            dst.thread.per_info.single_step = (self.flag & Self::FLAG_SINGLE_STEP != 0)
                as _;
            dst.thread.per_info.instruction_fetch = (self.flag & Self::FLAG_IFETCH != 0)
                as _;
            __cr::nest_ref::<Task, LowcoreHeader, _>(|t| &t.thread.per_info.lowcore)
                .write_ref(&self.nested, &mut dst.thread.per_info.lowcore);
            dst.chip.id = self.chip_id as _;
            dst.irq.irq = self.irq as _;
            if self.chip_id == 0 || self.chip_id == 1 {
                dst.chip.state.pic = self.pic as _;
            }
            if self.chip_id == 2 {
                dst.chip.state.ioapic = self.ioapic as _;
            }
            dst.control
                .set_single_step((self.control & Self::CONTROL_SINGLE_STEP != 0) as _);
        }
        #[inline]
        fn after_restore(&self, dst: &mut Task) {
            __cr::nest_ref::<Task, LowcoreHeader, _>(|t| &t.thread.per_info.lowcore)
                .after_ref(&self.nested, &mut dst.thread.per_info.lowcore);
            let after_restore: fn(&mut Task) = reload;
            after_restore(dst);
        }
    }
};
#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    impl EveryKeyV1 {
        /// Bit 0 of `flag`: the flag `SINGLE_STEP`.
        pub const FLAG_SINGLE_STEP: u8 = 1 << 0;
        /// Every flag bit of `flag` (bit 0).
        pub const FLAG_ALL: u8 = Self::FLAG_SINGLE_STEP;
    }
    #[automatically_derived]
    impl ::cr_core::Layout for EveryKeyV1 {
        const NAME: &'static str = "EveryKeyV1";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            __cr::row::<
                [u64; 16],
            >("copy", __cr::offset_of!(EveryKeyV1, copy), "[u64; 16]", __cr::Mode::Data),
            __cr::row::<
                [u64; 16],
            >("bits", __cr::offset_of!(EveryKeyV1, bits), "[u64; 16]", __cr::Mode::Data),
            __cr::row::<
                u64,
            >("convert", __cr::offset_of!(EveryKeyV1, convert), "u64", __cr::Mode::Data),
            __cr::row::<
                u64,
            >("mask", __cr::offset_of!(EveryKeyV1, mask), "u64", __cr::Mode::Data),
            __cr::row::<
                u64,
            >(
                "strict_mask",
                __cr::offset_of!(EveryKeyV1, strict_mask),
                "u64",
                __cr::Mode::Data,
            ),
            __cr::row::<
                u64,
            >(
                "save_only",
                __cr::offset_of!(EveryKeyV1, save_only),
                "u64",
                __cr::Mode::Data,
            ),
            __cr::row::<
                u8,
            >(
                "flag",
                __cr::offset_of!(EveryKeyV1, flag),
                "u8",
                __cr::Mode::Flags(
                    &[
                        __cr::FlagInfo {
                            name: "SINGLE_STEP",
                            bit: 0,
                            path: __cr::None,
                        },
                    ],
                ),
            ),
            __cr::row::<
                LowcoreHeader,
            >(
                "nested",
                __cr::offset_of!(EveryKeyV1, nested),
                "LowcoreHeader",
                __cr::Mode::Nested(<LowcoreHeader as __cr::Frozen>::LAYOUT),
            ),
            __cr::row::<
                [u8; 8],
            >(
                "gone",
                __cr::offset_of!(EveryKeyV1, gone),
                "[u8; 8]",
                __cr::Mode::Reserved,
            ),
            __cr::row::<
                [u8; 8],
            >(
                "reserved",
                __cr::offset_of!(EveryKeyV1, reserved),
                "[u8; 8]",
                __cr::Mode::Reserved,
            ),
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    const _: () = ::core::assert!(
        (9) != ::cr_core::image::END,
        "cr: `EveryKeyV1` has record type 0, which is reserved for the image's end record; give it another number"
    );
    #[automatically_derived]
    impl ::cr_core::image::Record for EveryKeyV1 {
        const TYPE: u32 = 9;
    }
};
#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    #[automatically_derived]
    impl ::cr_core::Layout for EveryKeyByHand {
        const NAME: &'static str = "EveryKeyByHand";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            __cr::row::<
                [u64; 16],
            >(
                "copy",
                __cr::offset_of!(EveryKeyByHand, copy),
                "[u64; 16]",
                __cr::Mode::Data,
            ),
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    const _: () = ::core::assert!(
        (9) != ::cr_core::image::END,
        "cr: `EveryKeyByHand` has record type 0, which is reserved for the image's end record; give it another number"
    );
    const _: () = __cr::check_chain(
        <EveryKeyV1 as ::cr_core::image::Record>::TYPE,
        <EveryKeyV1 as ::cr_core::image::Record>::VERSION,
        <EveryKeyByHand as ::cr_core::image::Record>::TYPE,
        <EveryKeyByHand as ::cr_core::image::Record>::VERSION,
        "EveryKeyV1",
    );
    #[automatically_derived]
    impl ::cr_core::image::Record for EveryKeyByHand {
        const TYPE: u32 = 9;
        const VERSION: u32 = 2;
        const OLDEST: u32 = <EveryKeyV1 as ::cr_core::image::Record>::OLDEST;
        fn layout_of(version: u32) -> ::core::option::Option<(u64, usize)> {
            if version == <Self as ::cr_core::image::Record>::VERSION {
                ::core::option::Option::Some((
                    __cr::fingerprint_of::<Self>(),
                    ::core::mem::size_of::<Self>(),
                ))
            } else {
                <EveryKeyV1 as ::cr_core::image::Record>::layout_of(version)
            }
        }
        fn decode(
            version: u32,
            payload: ::cr_core::image::Payload<'_>,
        ) -> ::core::result::Result<Self, ::cr_core::Error> {
            if version == <Self as ::cr_core::image::Record>::VERSION {
                return __cr::read_exact::<Self>(payload);
            }
            let prev = <EveryKeyV1 as ::cr_core::image::Record>::decode(
                version,
                payload,
            )?;
            let upgrade: fn(
                &EveryKeyV1,
            ) -> ::core::result::Result<Self, ::cr_core::Error> = by_hand;
            upgrade(&prev)
        }
    }
};
