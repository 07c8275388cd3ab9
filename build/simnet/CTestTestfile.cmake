# CMake generated Testfile for 
# Source directory: /work/main/simnet
# Build directory: /work/main/build/simnet
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
