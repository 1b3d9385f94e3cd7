//! The serial port: rust-vmm's `vm-superio` `Serial` (a 16550A UART) on the I/O ports of COM1, its
//! interrupt line IRQ 4 through an irqfd, what the guest transmits collected as its console. The device's
//! state is vm-superio's own `SerialState`; what of it an image holds is the headers' business.

use std::io::{self, Write};
use vm_superio::serial::{NoEvents, SerialState};
use vm_superio::{Serial, Trigger};
use vmm_sys_util::eventfd::{EventFd, EFD_NONBLOCK};

/// The first of the UART's eight I/O ports.
pub const COM1: u16 = crate::guest::SERIAL_PORT;
/// Its interrupt line (GSI 4: IRQ 4 of the PIC master, pin 4 of the IOAPIC).
pub const COM1_IRQ: u32 = 4;
/// The size of vm-superio's receive FIFO (private there; checked against the device below).
pub use cr::kvm_x86_64::vm_level::FIFO_SIZE;

/// What the guest transmitted, and how many lines of it.
#[derive(Debug, Default)]
pub struct Console {
    bytes: Vec<u8>,
    lines: usize,
}

impl Write for Console {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.lines += buf.iter().filter(|b| **b == b'\n').count();
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The UART's interrupt: an eventfd that KVM turns into an edge on GSI 4 (`KVM_IRQFD`).
#[derive(Debug)]
pub struct IrqLine(EventFd);

impl Trigger for IrqLine {
    type E = io::Error;

    fn trigger(&self) -> io::Result<()> {
        self.0.write(1)
    }
}

/// The serial device of the VM.
#[derive(Debug)]
pub struct SerialDevice {
    uart: Serial<IrqLine, NoEvents, Console>,
}

impl SerialDevice {
    /// A UART in its reset state whose interrupt goes to `vm`'s GSI 4.
    pub fn new(vm: &kvm_ioctls::VmFd) -> Result<SerialDevice, crate::failure::Failure> {
        let io = |what| move |e| crate::failure::Failure::Io(what, e);
        let fd = EventFd::new(EFD_NONBLOCK).map_err(io("creating the serial port's eventfd"))?;
        vm.register_irqfd(&fd, COM1_IRQ)
            .map_err(|e| crate::failure::Failure::Kvm("KVM_IRQFD", e))?;
        Ok(SerialDevice {
            uart: Serial::new(IrqLine(fd), Console::default()),
        })
    }

    /// Replaces the UART's registers and receive FIFO with `state` (checked by the image before), and
    /// starts a new console: the output of the VM the state came from is that VM's.
    pub fn restore(&mut self, state: &SerialState) -> Result<(), crate::failure::Failure> {
        let fd = self.uart.interrupt_evt().0.try_clone();
        let fd = fd.map_err(|e| crate::failure::Failure::Io("cloning the serial port's eventfd", e))?;
        self.uart = Serial::from_state(state, IrqLine(fd), NoEvents, Console::default())
            .map_err(|e| crate::failure::Failure::Broken(format!("the serial state was refused: {e}")))?;
        Ok(())
    }

    /// The registers and the receive FIFO, as vm-superio has them.
    pub fn state(&self) -> SerialState {
        self.uart.state()
    }

    /// Queues `bytes` in the receive FIFO (as a host terminal would type them); returns how many fit.
    pub fn input(&mut self, bytes: &[u8]) -> usize {
        self.uart.enqueue_raw_bytes(bytes).unwrap_or(0)
    }

    /// The guest's `out` to `port` (one of the UART's eight).
    pub fn io_out(&mut self, port: u16, data: &[u8]) -> io::Result<()> {
        for &byte in data {
            self.uart
                .write((port - COM1) as u8, byte)
                .map_err(|e| io::Error::other(e.to_string()))?;
        }
        Ok(())
    }

    /// The guest's `in` from `port` (one of the UART's eight).
    pub fn io_in(&mut self, port: u16, data: &mut [u8]) {
        for byte in data {
            *byte = self.uart.read((port - COM1) as u8);
        }
    }

    /// Whether `port` is one of the UART's.
    pub fn decodes(port: u16) -> bool {
        (COM1..COM1 + 8).contains(&port)
    }

    /// Everything the guest transmitted since the device was created or restored.
    pub fn output(&self) -> &[u8] {
        &self.uart.writer().bytes
    }

    /// The lines of [`output`](Self::output).
    pub fn lines(&self) -> usize {
        self.uart.writer().lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoIrq;
    impl Trigger for NoIrq {
        type E = io::Error;
        fn trigger(&self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_fifo_size_is_vm_superios() {
        let mut uart = Serial::new(NoIrq, Console::default());
        assert_eq!(uart.fifo_capacity(), FIFO_SIZE);
        assert_eq!(uart.enqueue_raw_bytes(&[b'x'; FIFO_SIZE + 1]).unwrap(), FIFO_SIZE);
        assert_eq!(uart.state().in_buffer.len(), FIFO_SIZE);
        // A state with one byte more is refused by the device itself (and before it by the image).
        let mut state = uart.state();
        state.in_buffer.push(b'y');
        assert!(Serial::from_state(&state, NoIrq, NoEvents, Console::default()).is_err());
    }

    #[test]
    fn the_console_counts_lines() {
        let mut uart = Serial::new(NoIrq, Console::default());
        for &b in b"0 a\n1 a\n" {
            uart.write(0, b).unwrap();
        }
        assert_eq!((uart.writer().lines, &uart.writer().bytes[..]), (2, &b"0 a\n1 a\n"[..]));
    }
}
