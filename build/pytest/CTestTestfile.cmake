# CMake generated Testfile for 
# Source directory: /work/main/pytest
# Build directory: /work/main/build/pytest
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
