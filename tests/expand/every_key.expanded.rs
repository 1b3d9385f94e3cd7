#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
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
    impl EveryKey {
        /// Bit 0 of `flag`: set when `thread.per_info.single_step` is true.
        pub const FLAG_SINGLE_STEP: u8 = 1 << 0;
        /// Bit 3 of `flag`: set when `thread.per_info.instruction_fetch` is true.
        pub const FLAG_IFETCH: u8 = 1 << 3;
        /// Every flag bit of `flag` (bits 0, 3); restore rejects any other bit.
        pub const FLAG_ALL: u8 = Self::FLAG_SINGLE_STEP | Self::FLAG_IFETCH;
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
                u32,
            >(
                "convert",
                "regs.ilc",
                __cr::offset_of!(EveryKey, convert),
                "u32",
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
                    __cr::nest::<Task, LowcoreHeader, _>(|t| t.thread.per_info.lowcore)
                        .layout,
                ),
            ),
            __cr::row::<
                u64,
            >("skip", __cr::offset_of!(EveryKey, skip), "u64", __cr::Mode::Skip),
            __cr::row::<
                [u8; 7],
            >(
                "reserved",
                __cr::offset_of!(EveryKey, reserved),
                "[u8; 7]",
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
        0x1234,
        "EveryKey",
    );
    #[automatically_derived]
    impl ::cr_core::CrCopy<Task> for EveryKey {
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
            self.nested = __cr::nest::<
                Task,
                LowcoreHeader,
                _,
            >(|t| t.thread.per_info.lowcore)
                .save(self.nested, src.thread.per_info.lowcore);
            self.skip = ::core::default::Default::default();
            self.reserved = __cr::FromZeros::new_zeroed();
        }
        fn restore(
            &self,
            dst: &mut Task,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<Task> for EveryKey {
        #[inline]
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
            if let __cr::Err(__e) = __cr::nest::<
                Task,
                LowcoreHeader,
                _,
            >(|t| t.thread.per_info.lowcore)
                .check(
                    self.nested,
                    dst.thread.per_info.lowcore,
                    const { &<Self as ::cr_core::Layout>::FIELDS[7] },
                    __cr::None,
                )
            {
                return __cr::Err(__e);
            }
            if let __cr::Err(__e) = __cr::check_reserved(self.reserved, "reserved") {
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
        #[inline]
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
            dst.thread.per_info.lowcore = __cr::nest::<
                Task,
                LowcoreHeader,
                _,
            >(|t| t.thread.per_info.lowcore)
                .write(self.nested, dst.thread.per_info.lowcore);
        }
        #[inline]
        fn after_restore(&self, dst: &mut Task) {
            dst.thread.per_info.lowcore = __cr::nest::<
                Task,
                LowcoreHeader,
                _,
            >(|t| t.thread.per_info.lowcore)
                .after_restore(self.nested, dst.thread.per_info.lowcore);
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
                [u8; 7],
            >(
                "gone",
                __cr::offset_of!(EveryKeyV1, gone),
                "[u8; 7]",
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
