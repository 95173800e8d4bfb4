# Guest kernels built from guest/ (filled in as guests arrive).
GUEST_BINS :=
