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
        ///Bit 0 of `flag`: set when `thread.per_info.single_step` is true.
        pub const FLAG_SINGLE_STEP: u8 = 1 << 0;
        ///Bit 3 of `flag`: set when `thread.per_info.instruction_fetch` is true.
        pub const FLAG_IFETCH: u8 = 1 << 3;
        ///Every flag bit of `flag` (bits 0, 3); restore rejects any other bit.
        pub const FLAG_ALL: u8 = Self::FLAG_SINGLE_STEP | Self::FLAG_IFETCH;
    }
    #[automatically_derived]
    impl ::cr_core::Layout for EveryKey {
        const NAME: &'static str = "EveryKey";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            ::cr_core::FieldInfo {
                name: "copy",
                path: ::core::option::Option::Some("regs.gprs"),
                offset: ::core::mem::offset_of!(EveryKey, copy),
                size: ::core::mem::size_of::<[u64; 16]>(),
                ty: "[u64; 16]",
                format: <[u64; 16] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "bits",
                path: ::core::option::Option::Some("thread.fp_regs.fprs"),
                offset: ::core::mem::offset_of!(EveryKey, bits),
                size: ::core::mem::size_of::<[u64; 16]>(),
                ty: "[u64; 16]",
                format: <[u64; 16] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Bits,
            },
            ::cr_core::FieldInfo {
                name: "convert",
                path: ::core::option::Option::Some("regs.ilc"),
                offset: ::core::mem::offset_of!(EveryKey, convert),
                size: ::core::mem::size_of::<u32>(),
                ty: "u32",
                format: <u32 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Convert,
            },
            ::cr_core::FieldInfo {
                name: "mask",
                path: ::core::option::Option::Some("regs.psw.addr"),
                offset: ::core::mem::offset_of!(EveryKey, mask),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Mask {
                    mask: (0x7fff_ffff) as u64,
                },
            },
            ::cr_core::FieldInfo {
                name: "strict_mask",
                path: ::core::option::Option::Some("regs.psw.mask"),
                offset: ::core::mem::offset_of!(EveryKey, strict_mask),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::StrictMask {
                    mask: (USER_MASK) as u64,
                },
            },
            ::cr_core::FieldInfo {
                name: "save_only",
                path: ::core::option::Option::Some("thread.ksp"),
                offset: ::core::mem::offset_of!(EveryKey, save_only),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::SaveOnly,
            },
            ::cr_core::FieldInfo {
                name: "flag",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(EveryKey, flag),
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
                            name: "IFETCH",
                            bit: 3,
                            path: ::core::option::Option::Some(
                                "thread.per_info.instruction_fetch",
                            ),
                        },
                    ],
                ),
            },
            ::cr_core::FieldInfo {
                name: "nested",
                path: ::core::option::Option::Some("thread.per_info.lowcore"),
                offset: ::core::mem::offset_of!(EveryKey, nested),
                size: ::core::mem::size_of::<LowcoreHeader>(),
                ty: "LowcoreHeader",
                format: <LowcoreHeader as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Nested(
                    __cr::nest::<Task, LowcoreHeader, _>(|t| t.thread.per_info.lowcore)
                        .layout,
                ),
            },
            ::cr_core::FieldInfo {
                name: "skip",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(EveryKey, skip),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Skip,
            },
            ::cr_core::FieldInfo {
                name: "reserved",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(EveryKey, reserved),
                size: ::core::mem::size_of::<[u8; 7]>(),
                ty: "[u8; 7]",
                format: <[u8; 7] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Reserved,
            },
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::layout::Describe for EveryKey {
        const FORMAT: ::cr_core::layout::Format = ::cr_core::layout::Format::Header {
            fingerprint: __cr::fingerprint_of::<Self>(),
            size: ::core::mem::size_of::<Self>(),
        };
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
            payload: &[u8],
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
        4660u64,
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
            __cr::narrow(self.convert, dst.regs.ilc, "convert", "regs.ilc")?;
            __cr::check_mask(
                self.strict_mask,
                USER_MASK,
                "strict_mask",
                "regs.psw.mask",
            )?;
            __cr::check_flags(self.flag, Self::FLAG_ALL, "flag")?;
            __cr::nest::<Task, LowcoreHeader, _>(|t| t.thread.per_info.lowcore)
                .check(
                    self.nested,
                    dst.thread.per_info.lowcore,
                    const { &<Self as ::cr_core::Layout>::FIELDS[7] },
                )?;
            __cr::check_reserved(self.reserved, "reserved")?;
            let validate: fn(
                &Self,
                &Task,
            ) -> ::core::result::Result<(), ::cr_core::Error> = check;
            validate(self, dst).map_err(__cr::locate::<Self>)?;
            ::core::result::Result::Ok(())
        }
        #[inline]
        fn write(&self, dst: &mut Task) {
            dst.regs.gprs = __cr::Same::restore(self.copy, dst.regs.gprs);
            dst.thread.fp_regs.fprs = __cr::bits(self.bits);
            dst.regs.ilc = __cr::narrowed(self.convert, dst.regs.ilc);
            dst.regs.psw.addr = __cr::Same::restore_masked(
                self.mask,
                0x7fff_ffff,
                dst.regs.psw.addr,
            );
            dst.regs.psw.mask = __cr::Same::restore(self.strict_mask, dst.regs.psw.mask);
            dst.thread.per_info.single_step = __cr::Flag::restore(
                self.flag,
                Self::FLAG_SINGLE_STEP,
                dst.thread.per_info.single_step,
            );
            dst.thread.per_info.instruction_fetch = __cr::Flag::restore(
                self.flag,
                Self::FLAG_IFETCH,
                dst.thread.per_info.instruction_fetch,
            );
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
        ///Bit 0 of `flag`: the flag `SINGLE_STEP`.
        pub const FLAG_SINGLE_STEP: u8 = 1 << 0;
        ///Every flag bit of `flag` (bit 0); restore rejects any other bit.
        pub const FLAG_ALL: u8 = Self::FLAG_SINGLE_STEP;
    }
    #[automatically_derived]
    impl ::cr_core::Layout for EveryKeyV1 {
        const NAME: &'static str = "EveryKeyV1";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            ::cr_core::FieldInfo {
                name: "copy",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(EveryKeyV1, copy),
                size: ::core::mem::size_of::<[u64; 16]>(),
                ty: "[u64; 16]",
                format: <[u64; 16] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
            ::cr_core::FieldInfo {
                name: "flag",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(EveryKeyV1, flag),
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
                    ],
                ),
            },
            ::cr_core::FieldInfo {
                name: "nested",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(EveryKeyV1, nested),
                size: ::core::mem::size_of::<LowcoreHeader>(),
                ty: "LowcoreHeader",
                format: <LowcoreHeader as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Nested(
                    <LowcoreHeader as __cr::Frozen>::LAYOUT,
                ),
            },
            ::cr_core::FieldInfo {
                name: "gone",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(EveryKeyV1, gone),
                size: ::core::mem::size_of::<[u8; 7]>(),
                ty: "[u8; 7]",
                format: <[u8; 7] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Reserved,
            },
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::layout::Describe for EveryKeyV1 {
        const FORMAT: ::cr_core::layout::Format = ::cr_core::layout::Format::Header {
            fingerprint: __cr::fingerprint_of::<Self>(),
            size: ::core::mem::size_of::<Self>(),
        };
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
            ::cr_core::FieldInfo {
                name: "copy",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(EveryKeyByHand, copy),
                size: ::core::mem::size_of::<[u64; 16]>(),
                ty: "[u64; 16]",
                format: <[u64; 16] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Data,
            },
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::layout::Describe for EveryKeyByHand {
        const FORMAT: ::cr_core::layout::Format = ::cr_core::layout::Format::Header {
            fingerprint: __cr::fingerprint_of::<Self>(),
            size: ::core::mem::size_of::<Self>(),
        };
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
            payload: &[u8],
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
