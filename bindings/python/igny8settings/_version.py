# The version of the package is the library's: read from include/igny8/version.h at build
# time would need a build step, so it is kept equal by tests/python/test_bindings.py.
__version__ = "1.3.0"
LIBRARY_MAJOR = 1
# 1.3: the plans and fallbacks of access.h and igny8_get_model_for_operation_v2, which Store
# calls (1.2: igny8_resolution_view_get, which Store.resolve calls; 1.1: igny8_store_options
# version 3, which StoreOptions declares).
LIBRARY_MINOR = 3
