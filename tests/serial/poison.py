"""Make a saved guest's console port what a save mid-transmission leaves:
QEMU's "serial/tsr" subsection (transmit retry count 1, a byte in the
transmit register) added to the first serial port's section, and its line
status saying the transmitter is not empty. Restored, QEMU finds the retry
pending with no console connected yet and the port never transmits again:
the dead console of a snapshot saved while the host had not read its
console (tests/serial/serial-save.sh shows the same state made by a real
save). crashlab's own save quiesces the guest, so its faults test injects
the state with this: the fault is real QEMU behaviour, the bytes are made.

usage: poison.py STATE  (edits STATE in place; exit 1 if no serial port 0)
"""
import struct
import sys


def main():
    path = sys.argv[1]
    data = bytearray(open(path, 'rb').read())
    # a full section: 0x04, section id, len 6, "serial", instance 0, version 3
    head = b'\x06serial' + struct.pack('>II', 0, 3)
    at = data.find(head)
    while at >= 0 and data[at - 5] != 0x04:
        at = data.find(head, at + 1)
    if at < 0:
        sys.exit('poison: no serial port 0 in ' + path)
    fields = at + len(head)            # divider(2) rbr ier iir lcr mcr lsr msr scr fcr
    footer = fields + 11
    if data[footer] != 0x7e:
        sys.exit('poison: serial port 0 already has subsections in ' + path)
    data[fields + 7] &= ~0x40 & 0xff   # LSR.TEMT off: the transmitter holds a byte
    sub = b'\x05' + bytes([10]) + b'serial/tsr' + struct.pack('>IIBB', 1, 1, 0x58, 0x58)
    data[footer:footer] = sub
    open(path, 'wb').write(data)
    print('poison: %s: serial port 0 saved mid-transmission (tsr_retry 1)' % path)


main()
