#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    const _: () = {
        let _ = |t: &Channel| {
            let Channel { head: _, tail: _ } = t;
        };
    };
    #[automatically_derived]
    impl ::cr_core::Layout for ChannelHeader {
        const NAME: &'static str = "ChannelHeader";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            __cr::path_row::<
                u16,
            >(
                "head",
                "head",
                __cr::offset_of!(ChannelHeader, head),
                "u16",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u16,
            >(
                "tail",
                "tail",
                __cr::offset_of!(ChannelHeader, tail),
                "u16",
                __cr::Mode::StrictMask {
                    mask: (0xfff) as u64,
                },
            ),
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::CrCopy<Channel> for ChannelHeader {
        #[inline]
        fn save(&mut self, src: &Channel) {
            self.head = __cr::Same::save(self.head, src.head);
            self.tail = __cr::Same::save(self.tail, src.tail);
        }
        #[inline]
        fn restore(
            &self,
            dst: &mut Channel,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<Channel> for ChannelHeader {
        #[inline(always)]
        fn check(&self, dst: &Channel) -> ::core::result::Result<(), ::cr_core::Error> {
            if let __cr::Err(__e) = __cr::check_mask(self.tail, 0xfff, "tail", "tail") {
                return __cr::Err(__e);
            }
            ::core::result::Result::Ok(())
        }
        #[inline(always)]
        #[allow(trivial_casts, trivial_numeric_casts)]
        fn write(&self, dst: &mut Channel) {
            dst.head = self.head as _;
            dst.tail = self.tail as _;
        }
    }
};
#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    const _: () = ::core::assert!(
        __cr::size_of_place:: < Device, _ > (| t | t.scale) == ::core::mem::size_of:: <
        u32 > (),
        "cr: header field `scale` (u32) and live `scale` differ in size; `bits` reinterprets bytes, so the header field needs a type of exactly the live place's size"
    );
    const _: () = {
        let _ = |t: &Device| {
            let Device { id: _, base: _, irq: _, scale: _, enabled: _, channels: _ } = t;
        };
    };
    impl DeviceHeader {
        /// Bit 0 of `flags`: set when `enabled` is true.
        pub const FLAGS_ENABLED: u8 = 1 << 0;
        /// Every flag bit of `flags` (bit 0); restore rejects any other bit.
        pub const FLAGS_ALL: u8 = Self::FLAGS_ENABLED;
    }
    #[automatically_derived]
    impl ::cr_core::Layout for DeviceHeader {
        const NAME: &'static str = "DeviceHeader";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            __cr::path_row::<
                u8,
            >("id", "id", __cr::offset_of!(DeviceHeader, id), "u8", __cr::Mode::Copy),
            __cr::path_row::<
                u64,
            >(
                "base",
                "base",
                __cr::offset_of!(DeviceHeader, base),
                "u64",
                __cr::Mode::Mask {
                    mask: (!0xfff) as u64,
                },
            ),
            __cr::path_row::<
                u32,
            >(
                "irq",
                "irq",
                __cr::offset_of!(DeviceHeader, irq),
                "u32",
                __cr::Mode::Convert,
            ),
            __cr::path_row::<
                u32,
            >(
                "scale",
                "scale",
                __cr::offset_of!(DeviceHeader, scale),
                "u32",
                __cr::Mode::Bits,
            ),
            __cr::row::<
                u8,
            >(
                "flags",
                __cr::offset_of!(DeviceHeader, flags),
                "u8",
                __cr::Mode::Flags(
                    &[
                        __cr::FlagInfo {
                            name: "ENABLED",
                            bit: 0,
                            path: __cr::Some("enabled"),
                        },
                    ],
                ),
            ),
            __cr::path_row::<
                [ChannelHeader; 2],
            >(
                "channels",
                "channels",
                __cr::offset_of!(DeviceHeader, channels),
                "[ChannelHeader; 2]",
                __cr::Mode::Nested(
                    __cr::nest_each::<Device, ChannelHeader, _, 2>(|t| t.channels).layout,
                ),
            ),
            __cr::row::<
                [u8; 3],
            >(
                "reserved",
                __cr::offset_of!(DeviceHeader, reserved),
                "[u8; 3]",
                __cr::Mode::Reserved,
            ),
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::CrCopy<Device> for DeviceHeader {
        #[inline]
        fn save(&mut self, src: &Device) {
            self.id = __cr::Same::save(self.id, src.id);
            self.base = __cr::Same::save(self.base, src.base);
            self.irq = __cr::Widen::save(self.irq, src.irq);
            self.scale = __cr::bits(src.scale);
            self.flags = __cr::Flag::save(src.enabled, Self::FLAGS_ENABLED);
            for __i in 0..2 {
                self.channels[__i] = __cr::nest_each::<
                    Device,
                    ChannelHeader,
                    _,
                    2,
                >(|t| t.channels)
                    .save(self.channels[__i], src.channels[__i]);
            }
            self.reserved = __cr::FromZeros::new_zeroed();
        }
        #[inline]
        fn restore(
            &self,
            dst: &mut Device,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<Device> for DeviceHeader {
        #[inline(always)]
        fn check(&self, dst: &Device) -> ::core::result::Result<(), ::cr_core::Error> {
            if let __cr::Err(__e) = __cr::narrow(self.irq, dst.irq, "irq", "irq") {
                return __cr::Err(__e);
            }
            if let __cr::Err(__e) = __cr::check_flags(
                self.flags,
                Self::FLAGS_ALL,
                "flags",
            ) {
                return __cr::Err(__e);
            }
            for __i in 0..2 {
                if let __cr::Err(__e) = __cr::nest_each::<
                    Device,
                    ChannelHeader,
                    _,
                    2,
                >(|t| t.channels)
                    .check(
                        self.channels[__i],
                        dst.channels[__i],
                        const { &<Self as ::cr_core::Layout>::FIELDS[5] },
                        __cr::Some(__i),
                    )
                {
                    return __cr::Err(__e);
                }
            }
            if let __cr::Err(__e) = __cr::check_reserved(self.reserved, "reserved") {
                return __cr::Err(__e);
            }
            ::core::result::Result::Ok(())
        }
        #[inline(always)]
        #[allow(trivial_casts, trivial_numeric_casts)]
        fn write(&self, dst: &mut Device) {
            dst.id = self.id as _;
            dst.base = __cr::Same::restore_masked(self.base, !0xfff, dst.base);
            dst.irq = __cr::narrowed(self.irq, dst.irq);
            dst.scale = __cr::bits(self.scale);
            dst.enabled = (self.flags & Self::FLAGS_ENABLED != 0) as _;
            for __i in 0..2 {
                dst.channels[__i] = __cr::nest_each::<
                    Device,
                    ChannelHeader,
                    _,
                    2,
                >(|t| t.channels)
                    .write(self.channels[__i], dst.channels[__i]);
            }
        }
        #[inline]
        fn after_restore(&self, dst: &mut Device) {
            for __i in 0..2 {
                dst.channels[__i] = __cr::nest_each::<
                    Device,
                    ChannelHeader,
                    _,
                    2,
                >(|t| t.channels)
                    .after_restore(self.channels[__i], dst.channels[__i]);
            }
        }
    }
};
