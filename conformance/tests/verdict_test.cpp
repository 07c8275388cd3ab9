// verdict_test.cpp
